import Foundation
import LoopsealStore
import LoopsealDiagnostics

/// One problem that makes the pre-commit hook refuse a commit. Never holds secret text.
public struct PreCommitProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The staged file, relative to the repository's top level.
    public var path: String
    /// 1-based line, when the problem has one.
    public var line: Int?
    /// 1-based column, when the problem has one.
    public var column: Int?
    /// What is wrong and what to do.
    public var message: String

    /// Creates a problem.
    public init(path: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    /// `path[:line[:column]]: message`.
    public var description: String { "\(StoreError.location(path, line, column)): \(message)" }
}

/// A file as staged in the index, with the version it replaces when there is one.
public struct StagedFile: Sendable {
    /// Path relative to the top level.
    public var path: String
    /// The staged bytes.
    public var content: [UInt8]
    /// The bytes of the version it replaces (HEAD's, or the rename source's); nil when added.
    public var previous: [UInt8]?

    /// Creates a staged file.
    public init(path: String, content: [UInt8], previous: [UInt8]? = nil) {
        self.path = path
        self.content = content
        self.previous = previous
    }
}

/// The checks of `loopseal git pre-commit`, on staged content (no git needed; see
/// ``StagedIndex`` for reading it). Refused:
/// 1. plaintext `.env` files, and other files that are mostly `KEY=value` (``EnvFileDetector``);
/// 2. added lines of other text files holding something that looks like a token (``TokenDetector``);
/// 3. sealed files under `workspaces/<id>/secrets/` that do not parse, or whose `key:` is not
///    their file name (a `*.sealed` file elsewhere is skipped when it parses, and scanned as
///    text when it does not);
/// 4. sealed files whose recipients differ from the staged `workspace.yaml` of their workspace
///    (and a staged `workspace.yaml` that does not parse);
/// 5. when that `workspace.yaml` lists `writers:`, sealed files without a valid signature by
///    one of them (what every reader would refuse);
/// 6. changed sealed files whose `id:` another sealed file of the workspace carries (an update
///    by id would pick one of them by chance).
public struct PreCommitCheck: Sendable {
    /// Staged versions of `workspaces/<id>/workspace.yaml`, by workspace id; nil when not in the index.
    public var workspaceFiles: [String: [UInt8]?]

    /// Creates a check with the staged `workspace.yaml` files it needs.
    public init(workspaceFiles: [String: [UInt8]?]) {
        self.workspaceFiles = workspaceFiles
    }

    /// Lock files: their checksums are random by design, so only known token prefixes count.
    static let lockFiles: Set<String> = ["Package.resolved", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
                                         "pnpm-lock.yaml", "bun.lock", "Cargo.lock", "go.sum", "Gemfile.lock",
                                         "poetry.lock", "Pipfile.lock", "composer.lock", "flake.lock", "uv.lock"]

    /// Token findings reported per file; the rest are counted in one more line.
    static let tokensPerFile = 10

    /// `workspaces/<id>/secrets/<name>.sealed` split into id and name; nil for other paths.
    public static func sealedLocation(_ path: String) -> (workspace: String, name: String)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "workspaces", parts[2] == "secrets", parts[3].hasSuffix(".sealed") else { return nil }
        return (String(parts[1]), String(parts[3].dropLast(".sealed".count)))
    }

    /// `workspaces/<id>/workspace.yaml` -> id; nil for other paths.
    public static func workspaceConfigID(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "workspaces", parts[2] == "workspace.yaml" else { return nil }
        return String(parts[1])
    }

    /// Every problem in `files` (the changed ones), plus recipient checks of `alsoSealed`
    /// (sealed files not changed but whose `workspace.yaml` was), in path order. At most
    /// ``tokensPerFile`` token findings are listed per file, then a count of the rest.
    /// `indexSealed` holds every staged sealed file of the workspaces involved, for the id check.
    public func problems(staged files: [StagedFile], alsoSealed: [StagedFile] = [], indexSealed: [StagedFile] = []) -> [PreCommitProblem] {
        var problems: [PreCommitProblem] = []
        var configs: [String: Result<WorkspaceConfig, PreCommitProblem>] = [:]
        for file in files {
            if let id = Self.workspaceConfigID(file.path), Names.isValidWorkspaceID(id),
               case .failure(let problem) = config(id, cache: &configs), problem.path == file.path {
                problems.append(problem)
            }
        }
        for file in files {
            if Self.sealedLocation(file.path) != nil {
                problems += sealedProblems(file, configs: &configs)
            } else if file.path.hasSuffix(".sealed"), (try? SealedSecretCodec.decode(file.content, file: file.path)) != nil {
                // A sealed file outside a workspace (a fixture, a copy): ciphertext, nothing to scan.
                continue
            } else {
                problems += plaintextProblems(file)
            }
        }
        let changed = Set(files.map(\.path))
        for file in alsoSealed where !changed.contains(file.path) {
            problems += sealedProblems(file, configs: &configs)
        }
        problems += duplicateIDProblems(changed: files, index: indexSealed)
        // By path; within a file, in the order found (lines ascending).
        return problems.enumerated().sorted { ($0.element.path, $0.offset) < ($1.element.path, $1.offset) }.map(\.element)
    }

    // MARK: Sealed files

    /// A changed sealed file whose id another staged sealed file of its workspace carries.
    private func duplicateIDProblems(changed: [StagedFile], index: [StagedFile]) -> [PreCommitProblem] {
        var holders: [String: [String]] = [:]
        var all: [String: StagedFile] = [:]
        for file in index { all[file.path] = file }
        for file in changed where Self.sealedLocation(file.path) != nil { all[file.path] = file }
        for (path, file) in all {
            guard let (workspace, _) = Self.sealedLocation(path),
                  let secret = try? SealedSecretCodec.decode(file.content, file: path) else { continue }
            holders["\(workspace)/\(secret.id)", default: []].append(path)
        }
        return changed.compactMap { file -> PreCommitProblem? in
            guard let (workspace, _) = Self.sealedLocation(file.path),
                  let secret = try? SealedSecretCodec.decode(file.content, file: file.path),
                  let paths = holders["\(workspace)/\(secret.id)"], paths.count > 1 else { return nil }
            let others = paths.filter { $0 != file.path }.sorted()
            return PreCommitProblem(path: file.path, message: "has the id \(secret.id), as \(others.joined(separator: ", ")) does: ids must be unique; a copied file must be re-created ('loopseal rm KEY' then 'loopseal set KEY')")
        }
    }

    private func sealedProblems(_ file: StagedFile, configs: inout [String: Result<WorkspaceConfig, PreCommitProblem>]) -> [PreCommitProblem] {
        guard let (id, name) = Self.sealedLocation(file.path) else { return [] }
        guard Names.isValidWorkspaceID(id) else {
            return [PreCommitProblem(path: file.path, message: StoreError.invalidWorkspaceID(id).description)]
        }
        guard Names.isValidKey(name) else {
            return [PreCommitProblem(path: file.path, message: "sealed file name: \(StoreError.invalidKey(name).description)")]
        }
        let secret: SealedSecret
        do {
            secret = try SealedSecretCodec.decode(file.content, file: file.path)
        } catch let error as StoreError {
            if case .malformed(_, let line, let column, let problem) = error {
                return [PreCommitProblem(path: file.path, line: line, column: column, message: "sealed file does not parse: \(problem)")]
            }
            return [PreCommitProblem(path: file.path, message: "sealed file does not parse: \(error.description.replacingPrefix(file.path + ": "))")]
        } catch {
            return [PreCommitProblem(path: file.path, message: "sealed file does not parse: \(error)")]
        }
        guard secret.key == name else {
            return [PreCommitProblem(path: file.path, message: "holds key '\(secret.key)' but is named \(name).sealed: a sealed file must be named after its key (use 'loopseal set', not a rename)")]
        }
        let config: WorkspaceConfig
        switch self.config(id, cache: &configs) {
        case .success(let found): config = found
        case .failure(let problem):
            return [PreCommitProblem(path: file.path, message: "cannot check it: \(problem.description)")]
        }
        var problems: [PreCommitProblem] = []
        do {
            try WriterSignatures(config).verify(secret, file: file.path)
        } catch {
            problems.append(PreCommitProblem(path: file.path, message: "\(error)".replacingPrefix(file.path + ": ")))
        }
        guard secret.hasValue else { return problems }
        let listed = Set(config.recipients.map(\.publicKey.description))
        let sealedTo = Set(secret.recipients.keys)
        guard listed != sealedTo else { return problems }
        var parts: [String] = []
        let extra = sealedTo.subtracting(listed).sorted()
        if !extra.isEmpty {
            parts.append("sealed to \(extra.count == 1 ? "a key" : "keys") workspace.yaml does not list: \(extra.map(Self.short).joined(separator: ", "))")
        }
        let missing = config.recipients.filter { !sealedTo.contains($0.publicKey.description) }.map(\.name)
        if !missing.isEmpty {
            parts.append("not sealed to \(missing.joined(separator: ", ")), listed in workspace.yaml")
        }
        problems.append(PreCommitProblem(path: file.path, message: "recipients differ from workspaces/\(id)/workspace.yaml: \(parts.joined(separator: "; ")); run 'loopseal rekey' and stage the result"))
        return problems
    }

    private func config(_ id: String, cache: inout [String: Result<WorkspaceConfig, PreCommitProblem>]) -> Result<WorkspaceConfig, PreCommitProblem> {
        if let cached = cache[id] { return cached }
        let path = "workspaces/\(id)/workspace.yaml"
        let result: Result<WorkspaceConfig, PreCommitProblem>
        if case .some(.some(let bytes)) = workspaceFiles[id] {
            if let text = String(validating: bytes, as: UTF8.self) {
                do {
                    result = .success(try WorkspaceConfig.parse(text, file: path, expectedID: id))
                } catch StoreError.malformed(_, let line, let column, let problem) {
                    result = .failure(PreCommitProblem(path: path, line: line, column: column, message: "workspace.yaml does not parse: \(problem)"))
                } catch {
                    result = .failure(PreCommitProblem(path: path, message: "workspace.yaml does not parse: \(error)"))
                }
            } else {
                result = .failure(PreCommitProblem(path: path, message: "workspace.yaml is not UTF-8 text"))
            }
        } else {
            result = .failure(PreCommitProblem(path: path, message: "not in the index: stage workspaces/\(id)/workspace.yaml too"))
        }
        cache[id] = result
        return result
    }

    static func short(_ key: String) -> String {
        key.count > 20 ? String(key.prefix(12)) + "…" + String(key.suffix(4)) : key
    }

    // MARK: Plaintext files

    private func plaintextProblems(_ file: StagedFile) -> [PreCommitProblem] {
        let kind = EnvFileDetector.kind(ofPath: file.path)
        if kind == .env {
            return [PreCommitProblem(path: file.path, message: "plaintext .env file: seal each value with 'loopseal set KEY' (or 'loopseal export' it where it is needed), or commit a template named .env.example with empty values")]
        }
        guard !Self.isBinary(file.content) else { return [] }
        var problems: [PreCommitProblem] = []
        let text = String(decoding: file.content, as: UTF8.self)
        if kind == .template {
            for item in EnvFileDetector.templateProblems(text) {
                problems.append(PreCommitProblem(path: file.path, line: item.line, message: "\(item.key) has a real-looking value in a template: leave it empty or use a placeholder such as <\(item.key.lowercased())>"))
            }
        } else if let (assignments, lines) = EnvFileDetector.envLikeContent(text) {
            problems.append(PreCommitProblem(path: file.path, message: "looks like a plaintext .env file (\(assignments) of \(lines) lines are KEY=value): seal the values with 'loopseal set KEY' instead, or mark lines that are not secrets with '# loopseal:allow'"))
        }
        let name = file.path.split(separator: "/").last.map(String.init) ?? file.path
        let entropy = !Self.lockFiles.contains(name)
        var tokens: [PreCommitProblem] = []
        var more = 0
        for (line, number) in Self.addedLines(file.content, previous: file.previous) {
            for finding in TokenDetector.scan(line: line.bytes, entropy: entropy && !line.inCertificate) {
                guard tokens.count < Self.tokensPerFile else {
                    more += 1
                    continue
                }
                tokens.append(PreCommitProblem(path: file.path, line: number, column: finding.column, message: "\(finding.kind) looks like a secret: seal it with 'loopseal set KEY'; if it is not a secret, add 'loopseal:allow' in a comment on the line"))
            }
        }
        if more > 0, let last = tokens.last {
            tokens.append(PreCommitProblem(path: file.path, line: last.line, column: last.column, message: "and \(more) more secret-looking string\(more == 1 ? "" : "s") further on in this file"))
        }
        return problems + tokens
    }

    /// Git's rule: a NUL byte in the first 8,000 bytes makes a file binary.
    static func isBinary(_ bytes: [UInt8]) -> Bool {
        bytes.prefix(8000).contains(0)
    }

    struct Line {
        var bytes: ArraySlice<UInt8>
        /// Inside a `-----BEGIN …-----` block: certificates and public keys are random-looking
        /// but public, and a private key is reported once, on its BEGIN line.
        var inCertificate: Bool
    }

    /// The lines of `content` that `previous` does not have (as many times as they are new),
    /// with their 1-based numbers.
    static func addedLines(_ content: [UInt8], previous: [UInt8]?) -> [(Line, Int)] {
        var remaining: [ArraySlice<UInt8>: Int] = [:]
        for line in splitLines(previous ?? []) { remaining[line, default: 0] += 1 }
        var result: [(Line, Int)] = []
        var inBlock = false
        let begin = Array("-----BEGIN ".utf8)
        let end = Array("-----END ".utf8)
        for (index, line) in splitLines(content).enumerated() {
            let array = Array(line)
            if TokenDetector.contains(array, begin) {
                inBlock = true
            } else if TokenDetector.contains(array, end) {
                inBlock = false
            }
            if let count = remaining[line], count > 0 {
                remaining[line] = count - 1
                continue
            }
            result.append((Line(bytes: line, inCertificate: inBlock), index + 1))
        }
        return result
    }

    private static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { $0.last == 0x0D ? $0.dropLast() : $0 }
    }
}

extension String {
    /// The text without `prefix` when it starts with it.
    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}

extension PreCommitProblem: LoopsealError {
    public var file: String? { path }
}
