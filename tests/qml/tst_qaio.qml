// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
import QtQuick
import QtTest
import Qaio
import QaioTest

TestCase {
    id: root
    name: "QaioFuture"

    property var job: null
    // What a BusyIndicator { running: job.pending } binding sees.
    property bool busy: job !== null && job.pending
    property int busyChanges: 0
    onBusyChanged: busyChanges++

    function messagesContaining(text) {
        return Service.handlerMessages().filter(m => m.indexOf(text) >= 0)
    }

    function test_result() {
        const f = Service.compute(21)
        compare(f.pending, true)
        compare(f.done, false)
        let got
        f.then(v => got = v, e => fail("onError called: " + e))
        tryCompare(f, "done", true)
        compare(f.pending, false)
        compare(f.result, 42)
        compare(f.error, "")
        tryVerify(() => got === 42)
    }

    function test_resultTypes() {
        const names = Service.names()
        tryCompare(names, "done", true)
        compare(names.result, ["a", "b"])
        const p = Service.point()
        tryCompare(p, "done", true)
        compare(p.result.x, 3)
        compare(p.result.y, 4)
        const s = Qaio.sleep(1)
        tryCompare(s, "done", true)
        compare(s.result, undefined)
        compare(s.error, "")
    }

    function test_error() {
        const f = Service.fail("disk on fire")
        let err
        f.then(v => fail("onResult called"), e => err = e)
        tryVerify(() => err !== undefined)
        verify(err instanceof Error)
        compare(err.message, "disk on fire")
        compare(f.errorName, "ValueError")
        compare(err.name, "ValueError")
        compare(f.error, "disk on fire")
        compare(f.errorName, "ValueError")
        compare(f.cancelled, false)
    }

    function test_cancel() {
        const before = Service.cancelledCount
        const f = Service.slow()
        let err
        f.then(v => fail("onResult called"), e => err = e)
        wait(10)
        compare(f.pending, true)
        verify(f.cancel())
        tryCompare(f, "cancelled", true)
        compare(f.done, true)
        compare(f.errorName, "CancelledError")
        tryVerify(() => err !== undefined)
        compare(err.name, "CancelledError")
        // The C++ task saw the CancelledError.
        tryCompare(Service, "cancelledCount", before + 1)
        verify(!f.cancel()) // already done
    }

    function test_bindings() {
        busyChanges = 0
        job = Qaio.sleep(30)
        compare(busy, true)
        tryCompare(root, "busy", false)
        compare(busyChanges, 2)
        compare(job.done, true)
        job = null
    }

    function test_thenAfterDone() {
        const f = Service.compute(2)
        tryCompare(f, "done", true)
        let got
        f.then(v => got = v)
        compare(got, undefined) // never synchronously, as a promise
        tryVerify(() => got === 4)
    }

    function test_thenKeepsFutureAlive() {
        // Nothing but then() refers to the future; garbage collection must not lose it.
        let got
        Service.compute(5).then(v => got = v)
        gc()
        tryVerify(() => got === 10)
    }

    function test_badArguments() {
        try {
            Qaio.sleep(-1)
            fail("no exception")
        } catch (e) {
            verify(e instanceof RangeError)
            compare(e.message, "Qaio.sleep(): ms must be a non-negative number, got -1")
        }
        try {
            Qaio.sleep("soon")
            fail("no exception")
        } catch (e) {
            verify(e instanceof RangeError)
            compare(e.message, "Qaio.sleep(): ms must be a non-negative number, got nan")
        }
        const f = Qaio.sleep(0)
        try {
            f.then(5)
            fail("no exception")
        } catch (e) {
            verify(e instanceof TypeError)
            compare(e.message, "QaioFuture.then(): onResult is not a function")
        }
    }

    function test_time() {
        const t0 = Qaio.time()
        verify(t0 > 0)
        let t1
        Qaio.sleep(50).then(() => t1 = Qaio.time())
        tryVerify(() => t1 !== undefined)
        verify(t1 - t0 >= 0.045, "elapsed " + (t1 - t0))
    }

    function test_unhandledErrorIsReported() {
        Service.clearMessages()
        const f = Service.fail("nobody listens")
        tryCompare(f, "done", true)
        tryVerify(() => messagesContaining("nobody listens").length === 1)
        verify(messagesContaining("QaioFuture exception was not handled").length === 1)
        // A cancellation is not an error to report.
        const g = Service.slow()
        g.cancel()
        tryCompare(g, "done", true)
        wait(10)
        compare(Service.handlerMessages().length, 1)
    }

    function test_pendingAtTeardown() {
        // Still pending when the engine goes away at the end of this file:
        // the engine, the future and its task must part cleanly (ASan).
        Qaio.sleep(Infinity).then(() => fail("resolved"), e => {})
        root.job = Service.slow()
        compare(job.pending, true)
    }

    function test_callbackExceptionIsReported() {
        Service.clearMessages()
        const f = Service.compute(1)
        f.then(v => { throw new Error("broken callback") })
        tryVerify(() => messagesContaining("broken callback").length === 1)
        verify(messagesContaining("Exception in a QaioFuture then() callback").length === 1)
    }
}
