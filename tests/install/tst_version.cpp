// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// qaio/version.h: the macros follow project(VERSION), QAIO_VERSION_CHECK orders
// versions as QT_VERSION_CHECK does, and qaio::version() is the library's.
#include <qaio/qaio.h>

#include <QtTest/QtTest>

class TestVersion : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void macrosFollowTheProjectVersion()
    {
        QCOMPARE(QStringLiteral(QAIO_VERSION_STR), QStringLiteral(QAIO_PROJECT_VERSION));
        QCOMPARE(QStringLiteral("%1.%2.%3").arg(QAIO_VERSION_MAJOR).arg(QAIO_VERSION_MINOR).arg(QAIO_VERSION_PATCH),
                 QStringLiteral(QAIO_PROJECT_VERSION));
        QCOMPARE(QAIO_VERSION, QAIO_VERSION_CHECK(QAIO_VERSION_MAJOR, QAIO_VERSION_MINOR, QAIO_VERSION_PATCH));
    }

    void versionCheckOrdersVersions()
    {
        QVERIFY(QAIO_VERSION_CHECK(0, 1, 0) < QAIO_VERSION_CHECK(0, 1, 1));
        QVERIFY(QAIO_VERSION_CHECK(0, 1, 255) < QAIO_VERSION_CHECK(0, 2, 0));
        QVERIFY(QAIO_VERSION_CHECK(0, 255, 255) < QAIO_VERSION_CHECK(1, 0, 0));
        QCOMPARE(QAIO_VERSION_CHECK(1, 2, 3), 0x010203);
#if QAIO_VERSION < QAIO_VERSION_CHECK(0, 1, 0)
        QFAIL("QAIO_VERSION is usable in #if and at least 0.1.0");
#endif
    }

    void runtimeVersionIsTheLibrarys()
    {
        QCOMPARE(QString::fromLatin1(qaio::version()), QStringLiteral(QAIO_VERSION_STR));
    }
};

QTEST_GUILESS_MAIN(TestVersion)
#include "tst_version.moc"
