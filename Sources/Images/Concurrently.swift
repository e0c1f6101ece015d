import Foundation

/// Runs `body` for 0..<count on up to `width` threads; rethrows the first error after
/// the others have finished.
func concurrently(_ count: Int, width: Int, _ body: @escaping (Int) throws -> Void) throws {
    guard count > 0 else { return }
    let work = Work(count: count, body: body)
    let group = DispatchGroup()
    for _ in 0..<max(1, min(width, count)) {
        group.enter()
        // Unowned: the workers never hold the last reference, so what `body` captured is
        // released on this thread before `concurrently` returns, not on a worker after it.
        Thread.detachNewThread { [unowned work] in
            work.run()
            group.leave()
        }
    }
    group.wait()
    if let error = work.firstError { throw error }
}

/// Indexes handed out to worker threads, and the first failure (which stops the rest).
private final class Work: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private let body: (Int) throws -> Void
    private var nextIndex = 0
    private(set) var firstError: Error?

    init(count: Int, body: @escaping (Int) throws -> Void) {
        self.count = count
        self.body = body
    }

    func run() {
        while true {
            lock.lock()
            let i = nextIndex
            nextIndex += 1
            let stop = i >= count || firstError != nil
            lock.unlock()
            if stop { return }
            do {
                try body(i)
            } catch {
                lock.lock()
                if firstError == nil { firstError = error }
                lock.unlock()
            }
        }
    }
}
