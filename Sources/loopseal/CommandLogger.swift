import Foundation
import Logging

/// Loggers of the long-running commands (`serve`, `agent`, `watch`): `LOOPSEAL_LOG_LEVEL`, applied
/// when logging is bootstrapped, wins; without it each logger starts at the level its command chose.
enum CommandLogger {
    static func make(_ label: String, level: Logger.Level) -> Logger {
        var logger = Logger(label: label)
        if ProcessInfo.processInfo.environment["LOOPSEAL_LOG_LEVEL"] == nil { logger.logLevel = level }
        return logger
    }
}
