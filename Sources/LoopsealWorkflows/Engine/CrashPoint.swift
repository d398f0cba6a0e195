import Foundation

/// Named points where a test can make the process die with SIGKILL, to prove that what a crash
/// leaves half-done converges: `LOOPSEAL_TEST_CRASH=before-parent-resume` kills the process
/// after a child run is saved finished and before its parent is resumed.
enum CrashPoint {
    private static let chosen: String? = getenv("LOOPSEAL_TEST_CRASH").map { String(cString: $0) }

    static func hit(_ name: String) {
        if chosen == name { kill(getpid(), SIGKILL) }
    }
}
