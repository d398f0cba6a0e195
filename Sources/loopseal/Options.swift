import ArgumentParser
import Foundation
import LoopsealCrypto
import LoopsealStore

/// Where the workspace is: `--root` and `--workspace`.
struct WorkspaceOptions: ParsableArguments {
    @Option(help: "Directory holding workspaces/ (default: the nearest parent of the current directory that has one).")
    var root: String?

    @Option(name: [.customShort("w"), .long], help: "Workspace id (default: the only workspace).")
    var workspace: String?

    /// The options as a plain value.
    var selection: WorkspaceSelection { WorkspaceSelection(root: root, id: workspace) }

    /// The repository root.
    func resolveRoot() throws -> String { try selection.resolveRoot() }

    /// The chosen workspace, with its `workspace.yaml` checked.
    func resolve() throws -> Workspace { try selection.resolve() }

    /// A secret service for the chosen workspace.
    func service(signingKeys: SigningKeyLoader = SigningKeyLoader()) throws -> SecretService {
        try selection.service(signingKeys: signingKeys)
    }
}

/// `--root` and `--workspace` as given (nil: find it), without ArgumentParser's wrappers.
struct WorkspaceSelection: Equatable {
    var root: String?
    var id: String?

    /// The repository root.
    func resolveRoot() throws -> String {
        if let root { return root }
        return try Workspace.findRoot(from: FileManager.default.currentDirectoryPath)
    }

    /// The chosen workspace, with its `workspace.yaml` checked so every command reports a
    /// broken configuration, not only the ones that need recipients.
    func resolve() throws -> Workspace {
        let resolved = try Workspace.resolve(root: try resolveRoot(), id: id)
        _ = try resolved.loadConfig()
        return resolved
    }

    /// A secret service for the chosen workspace; `signingKeys` finds the key that signs
    /// writes when the workspace lists writers.
    func service(signingKeys: SigningKeyLoader = SigningKeyLoader()) throws -> SecretService {
        SecretService(workspace: try resolve(), signingKeys: signingKeys)
    }
}

/// Which key signs writes in a workspace with `writers:`: `--signing-key`, then the environment,
/// then `~/.config/loopseal/signing.key`.
struct SigningOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A signing key file (LOOPSEAL-SIGNING-KEY-1…), used when workspace.yaml lists writers.",
        discussion: "Without it: $LOOPSEAL_SIGNING_KEY (the key itself), $LOOPSEAL_SIGNING_KEY_FILE, then ~/.config/loopseal/signing.key.",
        valueName: "file"))
    var signingKey: String?

    /// The loader that finds the key when a write needs it.
    var loader: SigningKeyLoader { SigningKeyLoader(file: signingKey) }
}

/// How a secret value is entered: stdin (one trailing newline dropped unless `--raw`), or a
/// hidden prompt (one line, or until Ctrl-D with `--multiline`). Empty values need `--allow-empty`.
struct ValueInputOptions: ParsableArguments {
    @Flag(help: "Store stdin byte for byte, keeping a trailing newline.") var raw = false
    @Flag(help: "At the prompt, read every line until Ctrl-D (PEM keys, certificates); the value keeps its line breaks.")
    var multiline = false
    @Flag(help: "Accept an empty value (refused by default: it is usually a mistake, such as an unset variable).")
    var allowEmpty = false

    /// The value for `key`: typed at a hidden prompt on a terminal, else all of stdin.
    func read(prompt: String, key: String) throws -> SecureBytes {
        let value: SecureBytes
        if Terminal.stdinIsTerminal {
            value = try Terminal.promptHidden(prompt, multiline: multiline)
        } else {
            let input = try Terminal.readStandardInput()
            value = raw ? input : try SetSecret.dropTrailingNewline(input)
        }
        try checkNotEmpty(value, key: key)
        return value
    }

    /// Refuses an empty value unless `--allow-empty`.
    func checkNotEmpty(_ value: SecureBytes, key: String) throws {
        guard value.count == 0, !allowEmpty else { return }
        throw CLIError("the value for \(key) is empty; nothing was stored: type or pipe the value, or pass --allow-empty to store an empty one")
    }
}

/// Which secret keys to try: `--identity`, then the environment, then the identities folder.
struct IdentityOptions: ParsableArguments {
    @Option(name: [.customShort("i"), .long], help: ArgumentHelp(
        "An identity file (AGE-SECRET-KEY-1… lines; age-keygen output works). Repeatable.",
        discussion: "Without it: $LOOPSEAL_IDENTITY (the key itself), $LOOPSEAL_IDENTITY_FILE, then ~/.config/loopseal/identities/*."))
    var identity: [String] = []

    /// Every identity found, or an error listing where it looked.
    func load() throws -> [Identity] {
        try IdentityLoader(files: identity).load()
    }

    /// Every identity found, or none (named files must still load).
    func loadIfAny() throws -> [Identity] {
        try IdentityLoader(files: identity).loadIfAny()
    }
}
