extension SecretService {
    /// What ``keys()`` lists for `key` alone: its `{id, key, hasValue}`, or the file's
    /// ``SecretKeyInfo/problem`` (and `conflict`) exactly as a full listing words them; nil when
    /// there is no `secrets/<key>.sealed`. For refreshing one entry of a listing kept in memory.
    public func keyInfo(key: String) throws -> SecretKeyInfo? {
        let path = try workspace.secretPath(for: key)
        do {
            return try find(key: key)?.info
        } catch {
            return SecretScan(secrets: [], problems: [SecretScan.Problem(key: key, file: path, error: error)]).infos.first
        }
    }
}
