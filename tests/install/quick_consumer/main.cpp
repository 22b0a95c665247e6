// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// A Qt Quick program that uses an installed qaio and its QML module: QML
// imports Qaio, calls a C++ service whose coroutine result arrives as a
// QaioFuture (qaio::toQml), and waits for it. Run offscreen.
#include <qaio/qaio.h>
#include <qaio/qmlfuture.h>

#include <QtGui/QGuiApplication>
#include <QtQml/QQmlApplicationEngine>
#include <QtQml/QQmlContext>

#include <cstdio>

class Service : public QObject
{
    Q_OBJECT
public:
    // The square of n, after a short asynchronous pause.
    Q_INVOKABLE qaio::QmlFuture *square(int n) { return qaio::toQml(qaio::createTask(this, squareLater(n))); }

private:
    static qaio::Coro<int> squareLater(int n)
    {
        co_await qaio::sleep(0.01);
        co_return n * n;
    }
};

// Runs until cancelled; quitting the application cancels it and lets it
// finish inside exec() (docs/gui.md, Shutdown).
static qaio::Coro<void> background(bool *cleanedUp)
{
    try {
        co_await qaio::sleep(3600);
    } catch (const qaio::CancelledError &) {
        *cleanedUp = true;
        throw;
    }
}

int main(int argc, char **argv)
{
    QGuiApplication app(argc, argv);
    qaio::Loop loop;
    qaio::setEventLoop(&loop);
    Service service;
    QQmlApplicationEngine engine;
    engine.rootContext()->setContextProperty(QStringLiteral("service"), &service);
    engine.load(QUrl(QStringLiteral("qrc:/main.qml")));
    if (engine.rootObjects().isEmpty())
        return 2;
    bool cleanedUp = false;
    loop.createTask(background(&cleanedUp));
    const int code = app.exec(); // runs qaio's loop too; main.qml calls Qt.exit
    std::printf("quick_consumer: background task finished cleanup: %s\n", cleanedUp ? "yes" : "no");
    std::printf("quick_consumer: exit %d\n", code);
    return cleanedUp ? code : 4;
}

#include "main.moc"
