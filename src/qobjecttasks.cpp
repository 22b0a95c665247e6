// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qobjecttasks.cpp — the list of tasks bound to a QObject (qaio/qobject.h).
#include <qaio/qobject.h>

#include <QtCore/qpointer.h>
#include <QtCore/qthread.h>

namespace qaio::detail {

namespace {

const char kChildName[] = "qaio::ObjectTasks";

// A hidden child of the context object: its destructor runs while the context
// is being destroyed (after destroyed() was emitted) and cancels the tasks.
class ObjectTasks final : public QObject
{
public:
    explicit ObjectTasks(QObject *context) : QObject(context)
    {
        setObjectName(QLatin1StringView(kChildName));
    }
    ~ObjectTasks() override
    {
        const QList<TaskBase> pending = std::exchange(tasks, {});
        for (TaskBase task : pending) {
            try {
                if (!task.done())
                    task.cancel(QStringLiteral("the context object was destroyed"));
            } catch (...) {
                // The task's loop is closed or gone: its frame is freed with it.
            }
        }
    }
    QList<TaskBase> tasks;
};

ObjectTasks *findTasks(const QObject *context)
{
    for (QObject *child : context->children()) {
        if (child->objectName() == QLatin1StringView(kChildName))
            if (auto *found = dynamic_cast<ObjectTasks *>(child))
                return found;
    }
    return nullptr;
}

} // namespace

void bindTaskToObject(QObject *context, TaskBase task)
{
    if (context->thread() != QThread::currentThread())
        throw RuntimeError("createTask(): the context object lives in another thread");
    ObjectTasks *list = findTasks(context);
    if (!list)
        list = new ObjectTasks(context);
    if (task.done())
        return;
    list->tasks.append(task);
    QPointer<ObjectTasks> guard(list);
    task.addDoneCallback([guard](const FutureBase &f) {
        if (guard)
            guard->tasks.removeIf([&](const TaskBase &t) { return t == f; });
    });
}

QList<TaskBase> objectTasks(const QObject *context)
{
    ObjectTasks *list = context ? findTasks(context) : nullptr;
    return list ? list->tasks : QList<TaskBase>{};
}

} // namespace qaio::detail
