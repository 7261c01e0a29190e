/// The shortest edit script between two line sequences (Myers' O(ND) algorithm), after trimming the common head and
/// tail, which is all a small config edit leaves to compare.
enum LineDiff {
    enum Operation: Equatable {
        case equal(old: Int, new: Int)
        case delete(old: Int)
        case insert(new: Int)
    }

    /// Past this many differing lines the middle is shown as replaced wholesale: still a correct diff, and the
    /// search's memory (which grows with the square of the differing lines) stays a few megabytes.
    static let maximumEditDistance = 1000

    static func operations<T: Hashable>(_ old: [T], _ new: [T]) -> [Operation] {
        var prefix = 0
        while prefix < old.count && prefix < new.count && old[prefix] == new[prefix] {
            prefix += 1
        }
        var suffix = 0
        while suffix < old.count - prefix && suffix < new.count - prefix
            && old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
        {
            suffix += 1
        }
        var result: [Operation] = (0..<prefix).map { .equal(old: $0, new: $0) }
        let oldMiddle = Array(old[prefix..<(old.count - suffix)])
        let newMiddle = Array(new[prefix..<(new.count - suffix)])
        for operation in middle(oldMiddle, newMiddle) {
            switch operation {
            case .equal(let o, let n): result.append(.equal(old: o + prefix, new: n + prefix))
            case .delete(let o): result.append(.delete(old: o + prefix))
            case .insert(let n): result.append(.insert(new: n + prefix))
            }
        }
        for index in 0..<suffix {
            result.append(.equal(old: old.count - suffix + index, new: new.count - suffix + index))
        }
        return grouped(result)
    }

    private static func middle<T: Hashable>(_ a: [T], _ b: [T]) -> [Operation] {
        let n = a.count
        let m = b.count
        if n == 0 { return (0..<m).map { .insert(new: $0) } }
        if m == 0 { return (0..<n).map { .delete(old: $0) } }
        let limit = min(n + m, maximumEditDistance)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        // trace[d] holds v[-d...d] as it was before step d.
        var trace: [[Int]] = []
        var found = false
        var steps = 0
        search: for d in 0...limit {
            trace.append(Array(v[(offset - d)...(offset + d)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]
                } else {
                    x = v[offset + k - 1] + 1
                }
                var y = x - k
                while x < n && y < m && a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n && y >= m {
                    found = true
                    steps = d
                    break search
                }
            }
        }
        guard found else {
            return (0..<n).map { .delete(old: $0) } + (0..<m).map { .insert(new: $0) }
        }
        var operations: [Operation] = []
        var x = n
        var y = m
        for d in stride(from: steps, to: 0, by: -1) {
            let before = trace[d]
            func value(_ k: Int) -> Int { before[k + d] }
            let k = x - y
            let previousK: Int
            if k == -d || (k != d && value(k - 1) < value(k + 1)) {
                previousK = k + 1
            } else {
                previousK = k - 1
            }
            let previousX = value(previousK)
            let previousY = previousX - previousK
            while x > previousX && y > previousY {
                x -= 1
                y -= 1
                operations.append(.equal(old: x, new: y))
            }
            if x == previousX {
                y -= 1
                operations.append(.insert(new: y))
            } else {
                x -= 1
                operations.append(.delete(old: x))
            }
        }
        while x > 0 && y > 0 {
            x -= 1
            y -= 1
            operations.append(.equal(old: x, new: y))
        }
        return operations.reversed()
    }

    /// Within each run of changes, deletions first, then insertions, as diff -u prints them.
    private static func grouped(_ operations: [Operation]) -> [Operation] {
        var result: [Operation] = []
        result.reserveCapacity(operations.count)
        var deletes: [Operation] = []
        var inserts: [Operation] = []
        func flush() {
            result += deletes
            result += inserts
            deletes.removeAll()
            inserts.removeAll()
        }
        for operation in operations {
            switch operation {
            case .equal:
                flush()
                result.append(operation)
            case .delete:
                deletes.append(operation)
            case .insert:
                inserts.append(operation)
            }
        }
        flush()
        return result
    }
}
