/// Every sealed file of a workspace read on its own: the ones that parse, and for each one that
/// does not, why. One bad file (a merge conflict, a stray edit) never hides the others.
public struct SecretScan: Sendable {
    /// A file that could not be read, with its error (never a value).
    public struct Problem: Error, Sendable {
        /// The key the file is named for.
        public var key: String
        /// The file's path.
        public var file: String
        /// What is wrong and what to do.
        public var error: any Error

        /// Creates a problem entry.
        public init(key: String, file: String, error: any Error) {
            self.key = key
            self.file = file
            self.error = error
        }
    }

    /// The files that parse, ordered by key.
    public var secrets: [SealedSecret]
    /// The files that do not, ordered by key.
    public var problems: [Problem]

    /// Ids carried by more than one file, each with the keys that carry it, ordered by id.
    public var duplicateIDs: [(id: String, keys: [String])] {
        Dictionary(grouping: secrets, by: \.id)
            .filter { $0.value.count > 1 }
            .map { (id: $0.key, keys: $0.value.map(\.key).sorted()) }
            .sorted { $0.id < $1.id }
    }

    /// The listing of every file, good and bad, ordered by key.
    public var infos: [SecretKeyInfo] {
        (secrets.map(\.info) + problems.map { problem in
            var conflict = false
            if case StoreError.mergeConflict? = problem.error as? StoreError { conflict = true }
            return SecretKeyInfo.unreadable(key: problem.key, problem: "\(problem.error)", conflict: conflict)
        })
            .sorted { $0.key < $1.key }
    }
}
