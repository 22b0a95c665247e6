// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// The flagship window: four panes fed by C++ services on the GUI thread's
// one qaio loop, and a frame-lateness readout. The services' Q_INVOKABLEs
// return futures: then() gets the result, cancel() cancels the task.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window

ApplicationWindow {
    id: root
    width: 1100
    height: 720
    visible: true
    title: "qaio flagship: one asyncio loop on the GUI thread"
    color: "#1e2230"

    required property QtObject chat
    required property QtObject proc
    required property QtObject primes
    required property QtObject search
    required property QtObject frames
    required property double primeLimit

    property var primeResult: undefined
    property var searchAnswer: ({ query: "", matches: 0, words: [] })

    component PaneBox: Rectangle {
        id: box
        property string heading
        property color accent
        default property alias content: inner.data
        radius: 8
        color: "#2a3042"
        border.color: accent
        border.width: 2
        Layout.fillWidth: true
        Layout.fillHeight: true
        Rectangle {
            id: bar
            width: parent.width; height: 30; radius: 8
            color: box.accent
            Label { anchors.verticalCenter: parent.verticalCenter; x: 10; text: box.heading; color: "#10131c"; font.bold: true }
        }
        Item { id: inner; anchors { left: parent.left; right: parent.right; top: bar.bottom; bottom: parent.bottom; margins: 8 } }
    }

    header: Rectangle {
        height: 44
        color: "#10131c"
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 12
            anchors.rightMargin: 12
            spacing: 16
            Rectangle {   // turns on every 60 Hz tick: a late tick is a visible stutter
                objectName: "spinner"
                width: 22; height: 22; color: "#ffcc4d"
                rotation: (root.frames.frame * 4) % 360
            }
            Label {
                objectName: "latencyLabel"
                color: "#e8ecf5"
                font.family: "monospace"
                text: "frame lateness (60 Hz tick)  p50 " + root.frames.p50.toFixed(2) + " ms   p99 "
                      + root.frames.p99.toFixed(2) + " ms   max " + root.frames.max.toFixed(2) + " ms   "
                      + root.frames.fps.toFixed(0) + " fps"
            }
            Item { Layout.fillWidth: true }
            Label { color: "#8b93a7"; text: "one thread, one loop" }
        }
    }

    GridLayout {
        anchors.fill: parent
        anchors.margins: 10
        columns: 2
        rowSpacing: 10
        columnSpacing: 10

        PaneBox {
            heading: "Chat over a local " + (root.chat.tls ? "TLS" : "TCP") + " server   (" + root.chat.clients
                     + " clients, " + root.chat.received + " lines)"
            accent: "#7aa2f7"
            ColumnLayout {
                anchors.fill: parent
                ListView {
                    id: chatView
                    objectName: "chatView"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    model: root.chat.messages
                    delegate: Label {
                        required property string display
                        text: display
                        color: display.startsWith("you:") ? "#9ece6a" : "#c0caf5"
                        width: ListView.view.width
                        elide: Text.ElideRight
                    }
                    onCountChanged: positionViewAtEnd()
                }
                TextField {
                    id: chatField
                    objectName: "chatField"
                    Layout.fillWidth: true
                    placeholderText: "say something (Enter)"
                    onAccepted: {
                        if (text.trim().length === 0)
                            return
                        root.chat.send(text)
                        text = ""
                    }
                }
            }
        }

        PaneBox {
            heading: "Child process: /bin/sh loop   (pid " + root.proc.pid + ", " + root.proc.lineCount + " lines)"
            accent: "#9ece6a"
            ListView {
                objectName: "processView"
                anchors.fill: parent
                clip: true
                model: root.proc.lines
                delegate: Label {
                    required property string display
                    text: display
                    color: "#d5f5c0"
                    font.family: "monospace"
                }
                onCountChanged: positionViewAtEnd()
            }
        }

        PaneBox {
            heading: "Executor: counting primes below " + root.primeLimit.toLocaleString(Qt.locale("C"), 'f', 0)
            accent: "#e0af68"
            ColumnLayout {
                anchors.fill: parent
                spacing: 8
                ProgressBar {
                    objectName: "primesProgress"
                    Layout.fillWidth: true
                    value: root.primes.progress
                }
                Label {
                    color: "#f5e0c0"
                    text: (root.primes.running ? "running: " : "idle: ") + root.primes.found + " primes so far, "
                          + root.primes.chunks + " chunks on the thread pool"
                }
                Label {
                    objectName: "primesStatus"
                    color: "#f5e0c0"
                    text: root.primes.completed + " jobs completed, " + root.primes.cancelled + " cancelled"
                          + (root.primeResult === undefined ? "" : ";  last result " + root.primeResult)
                }
                RowLayout {
                    Button {
                        objectName: "primesStart"
                        text: "Start"
                        onClicked: root.primes.start(root.primeLimit).then(function (n) { root.primeResult = n })
                    }
                    Button {
                        objectName: "primesCancel"
                        text: "Cancel"
                        enabled: root.primes.running
                        onClicked: root.primes.cancel()
                    }
                }
                Item { Layout.fillHeight: true }
            }
        }

        PaneBox {
            heading: "Search as you type   (" + root.search.words + " words, " + Math.round(root.search.latency * 1000)
                     + " ms per lookup)"
            accent: "#f7768e"
            ColumnLayout {
                anchors.fill: parent
                TextField {
                    id: searchField
                    objectName: "searchField"
                    Layout.fillWidth: true
                    placeholderText: "type to search (each key cancels the previous lookup)"
                    property var pending: null
                    onTextChanged: {
                        pending = root.search.search(text)
                        pending.then(function (answer) { root.searchAnswer = answer })
                    }
                }
                Label {
                    objectName: "searchStatus"
                    color: "#f5c0c8"
                    text: root.search.started + " lookups, " + root.search.cancelled + " cancelled, "
                          + root.search.completed + " completed" + (root.search.busy ? "  (looking up...)" : "")
                }
                Label {
                    color: "#f5c0c8"
                    text: root.searchAnswer.query === "" ? "" : root.searchAnswer.matches + " matches for \""
                                                               + root.searchAnswer.query + "\""
                }
                ListView {
                    objectName: "searchResults"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    model: root.searchAnswer.words
                    delegate: Label { text: modelData; color: "#ffffff" }
                }
            }
        }
    }
}
