// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/dialog.h — await a window-modal dialog without a nested event loop.
///
///     QMessageBox box(QMessageBox::Question, "Quit", "Discard changes?",
///                     QMessageBox::Yes | QMessageBox::No, this);
///     int r = co_await qaio::openDialog(&box);   // QMessageBox::Yes / No
///
/// openDialog(dialog) calls dialog->open() (window-modal: it blocks input to
/// its parent window only, and returns at once) and completes with the code
/// dialog->finished(int) reports: QDialog::Accepted / Rejected, or done(r)'s r.
/// The task is suspended meanwhile; the rest of the application, and every
/// other task, runs on. Cancelling the task rejects the dialog (it closes, and
/// finished(Rejected) goes nowhere) and the co_await throws CancelledError. If
/// the dialog is destroyed while open, the co_await throws RuntimeError.
///
/// Header-only and a template, so qaio itself does not link Qt Widgets: it
/// works with any QObject that has open(), reject() and finished(int) — every
/// QDialog subclass (QMessageBox, QFileDialog, QInputDialog, ...).
/// QDialog::exec() works too (loop rule 1: the nested loop runs qaio's tasks),
/// but blocks the calling task's stack; openDialog does not nest.
#pragma once

#include <qaio/coro.h>
#include <qaio/exceptions.h>
#include <qaio/qtsignal.h>

#include <QtCore/qpointer.h>

namespace qaio {

/// Opens `dialog` window-modally and completes with the code its finished(int)
/// reports, without a nested event loop (see the top of this file).
template<class Dialog>
    requires requires(Dialog *d) {
        d->open();
        d->reject();
        qaio::signal(d, &Dialog::finished);
    }
Coro<int> openDialog(Dialog *dialog)
{
    if (!dialog)
        throw ValueError("openDialog(): the dialog is null");
    QPointer<Dialog> guard(dialog);
    // Connect before open(): a dialog may finish from inside open().
    Future<int> finished = qaio::signal(dialog, &Dialog::finished);
    dialog->open();
    try {
        int code = co_await finished;
        co_return code;
    } catch (const CancelledError &) {
        if (guard && guard->isVisible())
            guard->reject();
        throw;
    }
}

} // namespace qaio
