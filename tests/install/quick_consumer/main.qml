// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
import QtQuick
import Qaio

// Waits for the C++ service's future, then for Qaio.sleep's, and exits 0 if
// both delivered what they should. (Qt 6.4 has no async functions; a
// QaioFuture is a thenable, so `await service.square(7)` works on newer Qt.)
Item {
    Timer { interval: 10000; running: true; onTriggered: { console.log("timed out"); Qt.exit(3) } }

    Component.onCompleted: {
        Promise.resolve(service.square(7)).then(value => {
            console.log("quick_consumer: square(7) =", value)
            Qaio.sleep(5).then(() => {
                console.log("quick_consumer: slept")
                Qt.exit(value === 49 ? 0 : 1)
            }, err => { console.log(err.name); Qt.exit(1) })
        }, err => { console.log(err.name, err.message); Qt.exit(1) })
    }
}
