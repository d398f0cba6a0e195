import Foundation

/// Runs an argv (no shell) with bytes on stdin; collects stderr.
enum ProcessRunner {
    struct Outcome {
        var status: Int32
        var stderr: String
    }

    static func run(_ argv: [String], stdin payload: [UInt8], directory: String? = nil, environment: [String: String]? = nil) throws -> Outcome {
        guard let program = argv.first else { throw SyncError("empty command") }
        let process = Process()
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(argv.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = argv
        }
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do { try process.run() } catch { throw SyncError("cannot run '\(program)': \(error.localizedDescription)") }
        let collector = DataCollector()
        let reader = Thread { collector.data = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        input.fileHandleForWriting.write(Data(payload))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return Outcome(status: process.terminationStatus, stderr: String(decoding: collector.data, as: UTF8.self))
    }

    private final class DataCollector: @unchecked Sendable {
        var data = Data()
    }
}
