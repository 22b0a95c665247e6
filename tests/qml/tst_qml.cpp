// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// Runs the Qt Quick Test cases tst_*.qml in this directory with a qaio loop on
// the GUI thread and a C++ service (QaioTest.Service) that returns futures.
#include <qaio/qaio.h>
#include <qaio/qmlfuture.h>

#include <QtCore/qobject.h>
#include <QtCore/qpointer.h>
#include <QtQml/qqml.h>
#include <QtQml/qqmlengine.h>
#include <QtQuickTest/quicktest.h>

#include <memory>

using namespace qaio;

// What a real application's service looks like: Q_INVOKABLEs that start
// tasks bound to the service and hand QML a QaioFuture.
class Service : public QObject
{
    Q_OBJECT
    Q_PROPERTY(int cancelledCount READ cancelledCount NOTIFY cancelledCountChanged)
public:
    Q_INVOKABLE qaio::QmlFuture *compute(int x) { return toQml(createTask(this, computeCoro(x))); }
    Q_INVOKABLE qaio::QmlFuture *fail(const QString &message) { return toQml(createTask(this, failCoro(message))); }
    Q_INVOKABLE qaio::QmlFuture *slow() { return toQml(createTask(this, slowCoro(this))); }
    Q_INVOKABLE qaio::QmlFuture *names()
    {
        return toQml(createTask(this, namesCoro()));
    }
    Q_INVOKABLE qaio::QmlFuture *point()
    {
        // A custom conversion: a struct becomes a JavaScript object.
        return toQml(createTask(this, pointCoro()), [](const std::pair<int, int> &p) {
            return QVariant(QVariantMap{{QStringLiteral("x"), p.first}, {QStringLiteral("y"), p.second}});
        });
    }
    Q_INVOKABLE QStringList handlerMessages() const { return messages; }
    Q_INVOKABLE void clearMessages() { messages.clear(); }
    int cancelledCount() const { return m_cancelled; }

    QStringList messages;

Q_SIGNALS:
    void cancelledCountChanged();

private:
    static Coro<int> computeCoro(int x)
    {
        co_await sleep(0.01);
        co_return x * 2;
    }
    static Coro<QString> failCoro(QString message)
    {
        co_await sleep(0.01);
        throw ValueError(message);
    }
    static Coro<QString> slowCoro(Service *service)
    {
        // Destroying the service cancels this task; the CancelledError
        // arrives after the service is gone, so check before touching it.
        QPointer<Service> self(service);
        try {
            co_await sleep(30);
        } catch (const CancelledError &) {
            if (self) {
                ++self->m_cancelled;
                Q_EMIT self->cancelledCountChanged();
            }
            throw;
        }
        co_return QStringLiteral("never");
    }
    static Coro<QStringList> namesCoro()
    {
        co_await sleep(0);
        co_return QStringList{QStringLiteral("a"), QStringLiteral("b")};
    }
    static Coro<std::pair<int, int>> pointCoro()
    {
        co_await sleep(0);
        co_return std::pair<int, int>(3, 4);
    }
    int m_cancelled = 0;
};

class Setup : public QObject
{
    Q_OBJECT
public Q_SLOTS:
    void applicationAvailable()
    {
        m_loop = std::make_unique<Loop>();
        setEventLoop(m_loop.get());
        m_service = std::make_unique<Service>();
        Service *service = m_service.get();
        m_loop->setExceptionHandler([service](Loop &, const ExceptionContext &c) {
            service->messages << c.message;
        });
        qmlRegisterSingletonInstance("QaioTest", 1, 0, "Service", service);
    }
    void qmlEngineAvailable(QQmlEngine *engine) { engine->addImportPath(QStringLiteral(QAIO_QML_IMPORT_DIR)); }
    void cleanupTestCase()
    {
        // While the application still exists: tasks still bound to the
        // service are cancelled with it; let them unwind, then close the loop.
        m_loop->setExceptionHandler(nullptr);
        m_service.reset();
        for (TaskBase task : allTasks(*m_loop)) // e.g. Qaio.sleep(Infinity)
            task.cancel();
        m_loop->runUntilComplete(m_loop->createTask(sleep(0.01)));
        setEventLoop(nullptr);
        m_loop->close();
    }

private:
    std::unique_ptr<Loop> m_loop;
    std::unique_ptr<Service> m_service;
};

QUICK_TEST_MAIN_WITH_SETUP(tst_qml, Setup)
#include "tst_qml.moc"
