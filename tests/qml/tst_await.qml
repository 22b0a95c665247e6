// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
import QtQuick
import QtTest
import Qaio
import QaioTest

// A QaioFuture is a thenable: promises adopt it, and JavaScript async
// functions await it where the engine has them (Qt 6.4's V4 has no async
// functions: that case is skipped there and runs on newer Qt).
TestCase {
    name: "QaioThenable"

    function test_promiseAdoptsFuture() {
        let got, err
        Promise.resolve(Service.compute(4)).then(v => got = v)
        Promise.resolve(Service.fail("adopted failure")).then(v => fail("resolved"), e => err = e)
        tryVerify(() => got === 8 && err !== undefined)
        compare(err.name, "ValueError")
        compare(err.message, "adopted failure")
    }

    function test_await() {
        let makeAsync
        try {
            makeAsync = new Function("Service", "Qaio", "out",
                "return (async function () {" +
                "  out.push(await Service.compute(5));" +
                "  await Qaio.sleep(5); out.push('slept');" +
                "  try { await Service.fail('awaited failure') } catch (e) { out.push(e.name + ': ' + e.message) }" +
                "  return 'done' })")
        } catch (e) {
            skip("this JavaScript engine has no async functions: " + e.message)
        }
        const out = []
        let finished
        makeAsync(Service, Qaio, out)().then(r => finished = r)
        tryVerify(() => finished === "done")
        compare(out, [10, "slept", "ValueError: awaited failure"])
    }
}
