// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// linemodel.h — the last N lines of a stream as a list model: appending
// inserts one row (the view adds one delegate) instead of resetting a
// QStringList property (the view would rebuild every delegate per line).
#pragma once

#include <QtCore/QStringListModel>

namespace flagship {

class LineModel : public QStringListModel
{
    Q_OBJECT

public:
    explicit LineModel(int maxLines, QObject *parent = nullptr) : QStringListModel(parent), m_max(maxLines) {}

    void append(const QString &line)
    {
        const int row = rowCount();
        insertRows(row, 1);
        setData(index(row), line);
        if (rowCount() > m_max)
            removeRows(0, rowCount() - m_max);
    }

private:
    int m_max;
};

} // namespace flagship
