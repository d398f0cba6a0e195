import LoopsealSystem

/// Runs a sync command or restart argv (no shell) with bytes on stdin; collects stderr
/// (``ChildProcess``, with errors as ``SyncError``).
enum ProcessRunner {
    struct Outcome {
        var status: Int32
        var stderr: String
    }

    static func run(_ argv: [String], stdin payload: [UInt8], directory: String? = nil, environment: [String: String]? = nil) throws -> Outcome {
        do {
            let outcome = try ChildProcess.run(argv, input: payload, directory: directory, environment: environment, captureOutput: false)
            return Outcome(status: outcome.status, stderr: outcome.errorText)
        } catch let error as ChildProcess.LaunchError {
            throw SyncError(error.program.isEmpty ? "empty command" : error.description)
        }
    }
}
