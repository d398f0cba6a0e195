import LoopsealBuildInfo

/// What `loopseal --version` prints: the version, and the commit a release was built from.
enum BuildInfo {
    /// The release version (also read by the Makefile: keep it on one line, in quotes).
    static let version = "0.2.0"

    /// The commit stamped into the binary by `make dist`, or nil in a development build.
    static var commit: String? {
        guard let pointer = loopseal_build_commit() else { return nil }
        let text = String(cString: pointer)
        return text.isEmpty || text == "unknown" ? nil : text
    }

    /// `loopseal 0.2.0 (commit 1a2b3c4d5e6f)` or `loopseal 0.2.0 (development build)`.
    static var description: String {
        "loopseal \(version) (\(commit.map { "commit \($0)" } ?? "development build"))"
    }
}
