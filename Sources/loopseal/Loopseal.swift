import ArgumentParser
import Foundation
import Logging
import LoopsealKit
import LoopsealSystem

/// `loopseal`: encrypted secrets in git. The commands are thin: they parse, call the
/// library, and print.
struct Loopseal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loopseal",
        abstract: "Keep secrets in git, sealed to your team's age keys.",
        version: BuildInfo.description,
        subcommands: [
            Keygen.self, Init.self, Recipients.self, Writers.self, Rekey.self,
            SetSecret.self, GetSecret.self, Keys.self, RemoveSecret.self, Import.self, Edit.self, Log.self, Resolve.self,
            Meta.self, Due.self,
            Export.self, Exec.self, Verify.self, Render.self,
            Workflow.self, Run.self, Sync.self, Targets.self, Watch.self, Status.self, Agent.self,
            MCPCommand.self,
            Serve.self, Token.self, Rotate.self, Exposure.self, Remind.self, GitCommand.self,
        ]
    )
}

@main
enum Main {
    static func main() async {
        Hardening.protectProcess()
        // `--version` alone answers before the parser starts (what ArgumentParser would print).
        if CommandLine.arguments.dropFirst().elementsEqual(["--version"]) {
            Terminal.print(BuildInfo.description + "\n")
            return
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let level = ProcessInfo.processInfo.environment["LOOPSEAL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            handler.logLevel = level ?? .warning
            return handler
        }
        do {
            if let quick = QuickParse.command(Array(CommandLine.arguments.dropFirst())) {
                try quick.run()
            } else {
                var command = try Loopseal.parseAsRoot()
                if var service = command as? AsyncParsableCommand {
                    try await service.run()
                } else {
                    try command.run()
                }
            }
        } catch {
            exit(Terminal.report(error))
        }
    }
}
