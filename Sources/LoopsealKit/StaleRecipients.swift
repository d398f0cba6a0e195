import LoopsealStore

/// The files a read saw that are sealed to other recipients than `workspace.yaml` lists (a
/// branch started before a recipient was added or removed, a change made with `--no-rekey`),
/// how each differs, and who can put them right with `loopseal rekey`: the recipients
/// `workspace.yaml` lists who can open every one of them. Public keys and names only.
public struct StaleRecipients: Sendable, Equatable {
    /// One file sealed to another recipient list.
    public struct File: Sendable, Equatable {
        /// The secret's key.
        public var key: String
        /// The file's path.
        public var path: String
        /// Recipients `workspace.yaml` lists that the file is not sealed to, by name.
        public var missing: [String]
        /// Keys the file is sealed to that `workspace.yaml` does not list, shortened.
        public var unlisted: [String]
        /// Recipients `workspace.yaml` lists that can open the file, by name.
        public var openers: [String]
    }

    /// The stale files, in the order read (by key).
    public var files: [File]
    /// Recipients `workspace.yaml` lists that can open every stale file, in its order: any one
    /// of them can run `loopseal rekey`.
    public var canRekey: [String]

    /// Files named in a ``warning``; the rest are counted.
    public static let namedInWarning = 10

    /// Decides from what a read saw. A file without a value is never stale: it has nothing sealed.
    public init(_ sealing: SealedRecipients) {
        let listedKeys = sealing.listed.map(\.publicKey.description)
        let wanted = Set(listedKeys)
        files = sealing.files.compactMap { file -> File? in
            let sealedTo = Set(file.recipients)
            guard !sealedTo.isEmpty, sealedTo != wanted else { return nil }
            return File(key: file.key, path: file.path,
                        missing: sealing.listed.filter { !sealedTo.contains($0.publicKey.description) }.map(\.name),
                        unlisted: file.recipients.filter { !wanted.contains($0) }.map(SealedRecipients.shortKey),
                        openers: sealing.listed.filter { sealedTo.contains($0.publicKey.description) }.map(\.name))
        }
        var canRekey = sealing.listed.map(\.name)
        for file in files { canRekey = canRekey.filter(file.openers.contains) }
        self.canRekey = canRekey
    }

    /// True when every file read is sealed to exactly `workspace.yaml`'s recipients.
    public var isEmpty: Bool { files.isEmpty }

    /// One line naming the stale files, how they differ and who can run `loopseal rekey`; nil
    /// when there are none.
    public var warning: String? {
        guard let first = files.first else { return nil }
        var named = files.prefix(Self.namedInWarning).map(\.path).joined(separator: ", ")
        if files.count > Self.namedInWarning { named += " and \(files.count - Self.namedInWarning) more" }
        let subject = files.count == 1 ? "\(first.path) is" : "\(files.count) files (\(named)) are"
        let differences = Self.differences(missing: Self.union(files.map(\.missing)), unlisted: Self.union(files.map(\.unlisted)))
        return "\(subject) sealed to other recipients than workspace.yaml lists (\(differences)): \(who)"
    }

    /// The problem `verify` reports for `file`.
    public func problem(for file: File) -> String {
        let who = file.openers.isEmpty ? Self.noOpener(count: 1) : "\(file.openers.joined(separator: " or ")) can run 'loopseal rekey'"
        return "\(file.path): sealed to other recipients than workspace.yaml lists (\(Self.differences(missing: file.missing, unlisted: file.unlisted))): \(who)"
    }

    private var who: String {
        if !canRekey.isEmpty { return "\(canRekey.joined(separator: " or ")) can run 'loopseal rekey'" }
        if files.allSatisfy({ $0.openers.isEmpty }) { return Self.noOpener(count: files.count) }
        return "no one recipient workspace.yaml lists can open them all: run 'loopseal rekey' with identities that open each of them"
    }

    private static func noOpener(count: Int) -> String {
        "no recipient workspace.yaml lists can open \(count == 1 ? "it" : "them"): set \(count == 1 ? "its value" : "their values") again with 'loopseal set'"
    }

    private static func differences(missing: [String], unlisted: [String]) -> String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("not sealed to \(missing.joined(separator: ", "))") }
        if !unlisted.isEmpty { parts.append("sealed to \(unlisted.count == 1 ? "a key" : "keys") it does not list: \(unlisted.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }

    /// The names in `lists`, each once, in the order first seen.
    private static func union(_ lists: [[String]]) -> [String] {
        var seen = Set<String>()
        return lists.flatMap { $0 }.filter { seen.insert($0).inserted }
    }
}
