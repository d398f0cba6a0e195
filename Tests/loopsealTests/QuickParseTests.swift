import ArgumentParser
import Testing
@testable import loopseal

/// The quick recogniser either declines an argument list or parses it exactly as
/// ArgumentParser does.
struct QuickParseTests {
    /// ArgumentParser's result as the values the quick path would run with.
    private func values(_ command: any ParsableCommand) -> QuickCommand? {
        switch command {
        case let get as GetSecret:
            return .get(get.workspace.selection, identityFiles: get.identities.identity, key: get.key)
        case let exec as Exec:
            return .exec(exec.workspace.selection, identityFiles: exec.identities.identity, command: exec.command)
        case let textconv as GitTextconv:
            return .textconv(file: textconv.file, reveal: textconv.reveal, root: textconv.root,
                             identityFiles: textconv.identities.identity)
        default:
            return nil
        }
    }

    private func agrees(_ arguments: [String]) throws -> Bool {
        guard let quick = QuickParse.command(arguments) else { return false }
        #expect(values(try Loopseal.parseAsRoot(arguments)) == quick, "\(arguments)")
        return true
    }

    @Test("the shapes scripts and git use are recognised, with ArgumentParser's result")
    func acceptedShapes() throws {
        let accepted: [[String]] = [
            ["get", "API_KEY"],
            ["get", "--root", "/r", "-i", "/k", "API_KEY"],
            ["get", "API_KEY", "--root=/r", "--workspace", "prod", "--identity", "/a", "-i", "/b"],
            ["get", "-w", "prod", "API_KEY", "--identity=/a"],
            ["exec", "--", "true"],
            ["exec", "--root", "/r", "-i", "/k", "--", "env", "-i", "--", "x"],
            ["exec", "-w", "prod", "--", "./deploy.sh", "--root", "ignored"],
            ["git", "textconv", "secrets/A.sealed"],
            ["git", "textconv", "--reveal", "--root", "/r", "-i", "/k", "/tmp/x"],
        ]
        for arguments in accepted {
            #expect(try agrees(arguments), "declined: \(arguments)")
        }
    }

    @Test("help, errors and unusual spellings are left to ArgumentParser")
    func declinedShapes() {
        let declined: [[String]] = [
            [], ["--version"], ["keys"], ["get"], ["get", "--help"], ["get", "-h"], ["get", "A", "B"],
            ["get", "--root"], ["get", "--root", "--workspace", "x", "A"], ["get", "--root=", "A"],
            ["get", "--root", "/a", "--root", "/b", "A"], ["get", "-w=prod", "A"], ["get", "-iA", "B"],
            ["get", "--", "A"], ["get", "-"], ["get", ""], ["get", "--unknown", "x", "A"], ["get", "--reveal", "A"],
            ["exec", "true"], ["exec", "--"], ["exec", "--root", "--", "true"], ["exec", "X", "--", "true"],
            ["exec", "--help", "--", "true"], ["git"], ["git", "textconv"], ["git", "textconv", "-w", "p", "f"],
            ["git", "textconv", "--reveal", "--reveal", "f"], ["git", "install"],
            ["get", "--generate-completion-script", "bash"],
        ]
        for arguments in declined {
            #expect(QuickParse.command(arguments) == nil, "accepted: \(arguments)")
        }
    }

    @Test("every combination of a small vocabulary: declined, or parsed as ArgumentParser parses it")
    func combinations() {
        let vocabulary = ["get", "exec", "git", "textconv", "--", "KEY", "-i", "--identity", "--root",
                          "-w", "--workspace=w", "--reveal", "--help"]
        var accepted = 0
        var queue: [[String]] = [[]]
        while let arguments = queue.popLast() {
            if QuickParse.command(arguments) != nil {
                do {
                    _ = try agrees(arguments)
                } catch {
                    Issue.record("ArgumentParser refuses what the quick parser accepted: \(arguments): \(error)")
                }
                accepted += 1
            }
            guard arguments.count < 4 else { continue }
            for word in vocabulary where !(arguments.isEmpty && !["get", "exec", "git"].contains(word)) {
                queue.append(arguments + [word])
            }
        }
        #expect(accepted > 300, "the vocabulary should reach many accepted shapes: \(accepted)")
    }
}
