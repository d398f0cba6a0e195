/// The commands started once per use by scripts and git (`get`, `exec -- …`, and
/// `git textconv`, which git's diff driver runs once per changed file), recognised without
/// ArgumentParser.
///
/// ArgumentParser builds each command's argument set by reflection, and in a statically linked
/// binary the Swift runtime's first-use conformance lookups scan every conformance record:
/// that was 5–6 ms, 40% of `loopseal get`. This recogniser accepts only the plain shapes of
/// those commands (`--name value`, `--name=value`, `-i value`, one positional) and declines
/// anything else, so help, errors and every unusual spelling still go through ArgumentParser.
/// It also skips building ArgumentParser's option wrappers: the commands' `run()` hands plain
/// values to a static `run(…)`, which is what a ``QuickCommand`` calls. A test checks the
/// recogniser against ArgumentParser for every shape it accepts.
enum QuickParse {
    /// The command for `arguments` (without the program name), or nil to use ArgumentParser.
    static func command(_ arguments: [String]) -> QuickCommand? {
        switch arguments.first {
        case "get": return get(arguments.dropFirst())
        case "exec": return exec(arguments.dropFirst())
        case "git" where arguments.dropFirst().first == "textconv": return textconv(arguments.dropFirst(2))
        default: return nil
        }
    }

    private static func get(_ arguments: ArraySlice<String>) -> QuickCommand? {
        var scan = Scan(accepting: .workspace, .identity)
        guard scan.read(arguments, positionalLimit: 1), let key = scan.positionals.first else { return nil }
        return .get(scan.selection, identityFiles: scan.identity, key: key)
    }

    /// Only `exec [options] -- CMD ARGS…`: without `--`, where the command starts is
    /// ArgumentParser's to decide.
    private static func exec(_ arguments: ArraySlice<String>) -> QuickCommand? {
        guard let separator = arguments.firstIndex(of: "--"), separator + 1 < arguments.endIndex else { return nil }
        var scan = Scan(accepting: .workspace, .identity)
        guard scan.read(arguments[..<separator], positionalLimit: 0) else { return nil }
        return .exec(scan.selection, identityFiles: scan.identity, command: Array(arguments[separator...]))
    }

    private static func textconv(_ arguments: ArraySlice<String>) -> QuickCommand? {
        var scan = Scan(accepting: .root, .identity, .reveal)
        guard scan.read(arguments, positionalLimit: 1), let file = scan.positionals.first else { return nil }
        return .textconv(file: file, reveal: scan.reveal, root: scan.root, identityFiles: scan.identity)
    }

    /// One pass over the options: each known spelling once (identities repeatable), values
    /// that do not start with `-`, and at most `positionalLimit` positionals.
    private struct Scan {
        enum Group { case workspace, root, identity, reveal }

        let groups: Set<Group>
        var root: String?
        var workspace: String?
        var identity: [String] = []
        var reveal = false
        var positionals: [String] = []

        init(accepting groups: Group...) { self.groups = Set(groups) }

        var selection: WorkspaceSelection { WorkspaceSelection(root: root, id: workspace) }

        /// False when anything is outside the shapes this recogniser knows.
        mutating func read(_ arguments: ArraySlice<String>, positionalLimit: Int) -> Bool {
            var index = arguments.startIndex
            while index < arguments.endIndex {
                let argument = arguments[index]
                index += 1
                guard argument.hasPrefix("-") else {
                    guard positionals.count < positionalLimit, !argument.isEmpty else { return false }
                    positionals.append(argument)
                    continue
                }
                if argument == "--reveal" {
                    guard groups.contains(.reveal), !reveal else { return false }
                    reveal = true
                    continue
                }
                let name: Substring
                let value: String
                if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                    name = argument[..<equals]
                    value = String(argument[argument.index(after: equals)...])
                } else {
                    guard index < arguments.endIndex else { return false }
                    name = argument[...]
                    value = arguments[index]
                    index += 1
                }
                guard !value.isEmpty, !value.hasPrefix("-") else { return false }
                switch name {
                case "--root" where groups.contains(.workspace) || groups.contains(.root):
                    guard root == nil else { return false }
                    root = value
                case "-w" where groups.contains(.workspace), "--workspace" where groups.contains(.workspace):
                    guard workspace == nil else { return false }
                    workspace = value
                case "-i" where groups.contains(.identity), "--identity" where groups.contains(.identity):
                    identity.append(value)
                default:
                    return false
                }
            }
            return true
        }
    }
}

/// A hot command parsed by ``QuickParse``: the values its static `run(…)` takes.
enum QuickCommand: Equatable {
    case get(WorkspaceSelection, identityFiles: [String], key: String)
    case exec(WorkspaceSelection, identityFiles: [String], command: [String])
    case textconv(file: String, reveal: Bool, root: String?, identityFiles: [String])

    /// Runs the command, as its ArgumentParser `run()` would.
    func run() throws {
        switch self {
        case let .get(workspace, identityFiles, key):
            try GetSecret.run(workspace: workspace, identityFiles: identityFiles, key: key)
        case let .exec(workspace, identityFiles, command):
            try Exec.run(workspace: workspace, identityFiles: identityFiles, command: command)
        case let .textconv(file, reveal, root, identityFiles):
            try GitTextconv.run(file: file, reveal: reveal, root: root, identityFiles: identityFiles)
        }
    }
}
