import Foundation
import Hummingbird
import HummingbirdTesting
import LoopsealCrypto
@testable import LoopsealServer
import LoopsealStore
import LoopsealSync
import LoopsealSystem
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 17, "Listing from memory" and must-hold 3: the list is served from memory, and every
/// change made outside the server (another `SecretService`, the real `loopseal set`, `git pull`,
/// files edited, made unreadable, removed, folders replaced, `workspace.yaml` edited) shows on
/// the very next request, identical to what ``SecretService/keys()`` reads from disk, byte for
/// byte in JSON. The rounds run with no pause, so changes land within one timestamp tick.
@Suite("API: the listing is served from memory and every change shows on the next request")
struct ListingFromMemoryTests {
    let fixture: ServerFixture
    let app: Application<RouterResponder<ServerRequestContext>>

    init() throws {
        fixture = try ServerFixture()
        app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
    }

    // MARK: Helpers

    private static func value(_ text: String) throws -> SecureBytes { try SecureBytes(copying: Array(text.utf8)) }

    /// What the list route answers now, checked against a fresh read of the disk: the same
    /// entries, and the same JSON bytes the route always sent (`JSONEncoder`, sorted keys).
    @discardableResult
    private func list(_ client: some TestClientProtocol, of fixture: ServerFixture? = nil,
                      sourceLocation: SourceLocation = #_sourceLocation) async throws -> [SecretKeyInfo] {
        let fixture = fixture ?? self.fixture
        let response = try await client.call("/api/v1/workspaces/alpha/secrets", token: fixture.readerAlpha)
        #expect(response.status == .ok, "\(response.text)", sourceLocation: sourceLocation)
        let items = try JSONDecoder().decode([SecretKeyInfo].self, from: Data(response.text.utf8))
        let disk = try SecretService(workspace: fixture.alpha).keys()
        #expect(items == disk, sourceLocation: sourceLocation)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(response.text == String(decoding: try encoder.encode(disk), as: UTF8.self), sourceLocation: sourceLocation)
        #expect(!response.text.contains(ServerFixture.canary), sourceLocation: sourceLocation)
        return items
    }

    private func item(_ key: String, in items: [SecretKeyInfo]) -> SecretKeyInfo? { items.first { $0.key == key } }

    /// Writes `bytes` over the start of `path` in place: same inode, and the same size when
    /// `bytes` is as long as the file (the case a stat check cannot tell apart within a tick).
    private func overwriteInPlace(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        #expect(bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == bytes.count)
    }

    private func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    // MARK: Tests

    @Test("200 rounds with no pause: a new key written by another instance, a same-size rewrite in place and an id renamed into place all show on the next request")
    func writeThenListWithinOneTick() async throws {
        let other = SecretService(workspace: try fixture.alpha)
        try other.upsert(key: "FLIP", value: try Self.value(ServerFixture.canary))
        try other.upsert(key: "SWAP", value: try Self.value(ServerFixture.canary))
        let flip = try fixture.alpha.secretPath(for: "FLIP")
        let swap = try fixture.alpha.secretPath(for: "SWAP")
        let good = try bytes(flip)
        let broken = Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "key: FLIP", with: "key: FLOP").utf8)
        try #require(broken.count == good.count && broken != good)  // same length, holds another key
        let swapText = String(decoding: try bytes(swap), as: UTF8.self)
        let swapID = try #require(try other.find(key: "SWAP")).id
        try await app.test(.router) { client in
            try await list(client)
            for round in 0..<200 {
                try other.upsert(key: "R_\(round)", value: try Self.value(ServerFixture.canary))
                try overwriteInPlace(flip, round % 2 == 0 ? broken : good)
                let id = UUID().uuidString.lowercased()
                let temporary = "\(fixture.root)/workspaces/alpha/secrets/.SWAP.sealed.tmp-\(round)"
                try swapText.replacingOccurrences(of: swapID, with: id).write(toFile: temporary, atomically: false, encoding: .utf8)
                #expect(rename(temporary, swap) == 0)
                let items = try await list(client)
                #expect(items.count == round + 3)
                #expect(item("R_\(round)", in: items)?.hasValue == true)
                #expect((item("FLIP", in: items)?.problem != nil) == (round % 2 == 0), "round \(round)")
                #expect(item("SWAP", in: items)?.id == id, "round \(round)")
            }
        }
    }

    @Test("a key set by the real `loopseal set` in another process is listed on the next request, round after round")
    func loopsealSetInAnotherProcess() async throws {
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/loopseal").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the loopseal binary first (swift build)")
        try await app.test(.router) { client in
            try await list(client)
            for round in 0..<25 {
                let outcome = try ChildProcess.run(
                    [binary, "set", "CLI_\(round)", "--root", fixture.root, "-w", "alpha"],
                    input: Array("\(ServerFixture.canary)\n".utf8),
                    environment: ["HOME": fixture.state, "LOOPSEAL_STATE": fixture.state, "PATH": "/usr/bin:/bin"])
                try #require(outcome.status == 0 && !outcome.signaled, "loopseal set CLI_\(round) failed")
                let items = try await list(client)
                #expect(items.map(\.key) == (0...round).map { "CLI_\($0)" }.sorted())
                #expect(items.allSatisfy { $0.hasValue && $0.problem == nil })
            }
        }
        #expect(try fixture.reveal("CLI_24") == ServerFixture.canary)
        #expect(!fixture.logs.text.contains(ServerFixture.canary))
    }

    @Test("`git pull` that adds, changes, conflicts and removes files: each shows on the next request")
    func gitPull() async throws {
        let fixture = try ServerFixture(gitCommit: true)
        let app = Application(router: LoopsealHTTPServer.router(core: fixture.core))
        let base = (fixture.root as NSString).deletingLastPathComponent
        let remote = "\(base)/remote.git", writer = "\(base)/writer"
        try Git.run(["init", "-q", "--bare", remote], in: base)
        try Git.run(["remote", "add", "origin", remote], in: fixture.root)
        try Git.run(["push", "-q", "origin", "HEAD:refs/heads/main"], in: fixture.root)
        try Git.run(["clone", "-q", "-b", "main", remote, writer], in: base)
        try Git.identify(writer)
        let writerService = SecretService(workspace: try Workspace(root: writer, id: "alpha"))
        @Sendable func push(_ message: String) throws {
            try Git.run(["add", "-A", "workspaces"], in: writer)
            try Git.run(["commit", "-q", "-m", message], in: writer)
            try Git.run(["push", "-q", "origin", "main"], in: writer)
        }
        @Sendable func pull() throws { try Git.run(["pull", "-q", "--ff-only", "origin", "main"], in: fixture.root) }
        try await app.test(.router) { client in
            #expect(try await list(client, of: fixture).isEmpty)
            for round in 0..<10 {
                try writerService.upsert(key: "PULLED_\(round)", value: try Self.value(ServerFixture.canary))
                try push("add PULLED_\(round)")
                try pull()
                let items = try await list(client, of: fixture)
                #expect(items.map(\.key) == (0...round).map { "PULLED_\($0)" })
            }
            let id = try #require(try writerService.find(key: "PULLED_3")).id
            try writerService.delete(key: "PULLED_3")
            try writerService.create(key: "PULLED_3", value: try Self.value("new"))
            try "loopseal: 1\n<<<<<<< HEAD\nid: a\n=======\nid: b\n>>>>>>> other\nkey: PULLED_5\n"
                .write(toFile: try Workspace(root: writer, id: "alpha").secretPath(for: "PULLED_5"), atomically: false, encoding: .utf8)
            try writerService.delete(key: "PULLED_7")
            try push("change PULLED_3, conflict PULLED_5, remove PULLED_7")
            try pull()
            let items = try await list(client, of: fixture)
            #expect(item("PULLED_3", in: items).map { $0.id != id && $0.hasValue } == true)
            #expect(item("PULLED_5", in: items)?.conflict == true)
            #expect(item("PULLED_5", in: items)?.problem?.contains("merge conflict") == true)
            #expect(item("PULLED_7", in: items) == nil)
            #expect(items.count == 9)
        }
    }

    @Test("a file made unreadable or conflicted is listed with its problem; a removed file disappears; then the folder goes and comes back")
    func problemsAndRemovals() async throws {
        let other = SecretService(workspace: try fixture.alpha)
        try other.upsert(key: "GOOD", value: try Self.value(ServerFixture.canary))
        try other.upsert(key: "BAD", value: try Self.value(ServerFixture.canary))
        let bad = try fixture.alpha.secretPath(for: "BAD")
        let secrets = try fixture.alpha.secretsDirectory
        try await app.test(.router) { client in
            #expect(try await list(client).allSatisfy { $0.problem == nil })
            try "loopseal: 1\n<<<<<<< HEAD\nid: x\n=======\nid: y\n>>>>>>> b\nkey: BAD\n".write(toFile: bad, atomically: false, encoding: .utf8)
            var items = try await list(client)
            #expect(item("BAD", in: items)?.conflict == true)
            #expect(item("BAD", in: items)?.problem?.contains("merge conflict") == true)
            #expect(item("GOOD", in: items)?.problem == nil)

            #expect(unlink(bad) == 0 && symlink("/dev/zero", "\(secrets)/.link") == 0 && rename("\(secrets)/.link", bad) == 0)
            items = try await list(client)
            #expect(item("BAD", in: items)?.problem?.contains("is a symbolic link") == true)

            #expect(unlink(bad) == 0 && mkfifo(bad, 0o600) == 0)
            items = try await list(client)
            #expect(item("BAD", in: items)?.problem?.contains("is a FIFO") == true)

            #expect(chmod(try fixture.alpha.secretPath(for: "GOOD"), 0) == 0)
            try await list(client)  // unreadable unless the tests run as root: either way as keys() reads it
            #expect(chmod(try fixture.alpha.secretPath(for: "GOOD"), 0o644) == 0)

            #expect(unlink(bad) == 0)
            #expect(try await list(client).map(\.key) == ["GOOD"])

            try FileManager.default.removeItem(atPath: secrets)
            #expect(try await list(client).isEmpty)
            try other.upsert(key: "BACK", value: try Self.value(ServerFixture.canary))
            #expect(try await list(client).map(\.key) == ["BACK"])
        }
    }

    @Test("a workspace folder replaced by a rename, and secrets/ replaced by a link to another folder, are read anew")
    func foldersReplaced() async throws {
        let alpha = try fixture.alpha
        try SecretService(workspace: alpha).upsert(key: "OLD", value: try Self.value(ServerFixture.canary))
        let base = (fixture.root as NSString).deletingLastPathComponent
        try await app.test(.router) { client in
            #expect(try await list(client).map(\.key) == ["OLD"])
            let staged = "\(base)/alpha-new"
            try FileManager.default.copyItem(atPath: alpha.directory, toPath: staged)
            let stagedSecrets = "\(staged)/secrets"
            try FileManager.default.moveItem(atPath: "\(stagedSecrets)/OLD.sealed", toPath: "\(stagedSecrets)/NEW.sealed")
            try String(contentsOfFile: "\(stagedSecrets)/NEW.sealed", encoding: .utf8).replacingOccurrences(of: "key: OLD", with: "key: NEW")
                .write(toFile: "\(stagedSecrets)/NEW.sealed", atomically: true, encoding: .utf8)
            #expect(rename(alpha.directory, "\(base)/alpha-old") == 0 && rename(staged, alpha.directory) == 0)
            #expect(try await list(client).map(\.key) == ["NEW"])

            let elsewhere = "\(base)/elsewhere"
            try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(alpha.secretsDirectory)/NEW.sealed", toPath: "\(elsewhere)/NEW.sealed")
            try String(contentsOfFile: "\(elsewhere)/NEW.sealed", encoding: .utf8).replacingOccurrences(of: "key: NEW", with: "key: LINKED")
                .write(toFile: "\(elsewhere)/LINKED.sealed", atomically: true, encoding: .utf8)
            #expect(unlink("\(elsewhere)/NEW.sealed") == 0)
            #expect(symlink(elsewhere, "\(alpha.directory)/.secrets-link") == 0)
            #expect(rename("\(alpha.directory)/secrets", "\(base)/secrets-old") == 0)
            #expect(rename("\(alpha.directory)/.secrets-link", alpha.secretsDirectory) == 0)
            #expect(try await list(client).map(\.key) == ["LINKED"])
            try SecretService(workspace: alpha).upsert(key: "THROUGH_LINK", value: try Self.value(ServerFixture.canary))
            #expect(try await list(client).map(\.key) == ["LINKED", "THROUGH_LINK"])
        }
    }

    @Test("workspace.yaml gains writers and a recipient: the list stays what keys() reads (it never decrypts nor checks signatures)")
    func workspaceFileChanges() async throws {
        let alpha = try fixture.alpha
        let writerKey = try SigningKey.generate()
        let other = SecretService(workspace: alpha)
        try other.upsert(key: "UNSIGNED", value: try Self.value(ServerFixture.canary))
        try other.declare(key: "REQUESTED")
        try await app.test(.router) { client in
            var items = try await list(client)
            #expect(item("UNSIGNED", in: items)?.hasValue == true)
            #expect(item("REQUESTED", in: items)?.hasValue == false)
            var config = try alpha.loadConfig()
            config.writers = [Writer(name: "ci", publicKey: writerKey.publicKey)]
            try alpha.saveConfig(config)
            items = try await list(client)
            #expect(item("UNSIGNED", in: items)?.hasValue == true)
            config.recipients.append(Recipient(name: "bob", publicKey: try Identity.generate().publicKey))
            try alpha.saveConfig(config)
            try await list(client)
            let signed = SecretService(workspace: alpha, signingKeys: SigningKeyLoader(environment: ["LOOPSEAL_SIGNING_KEY": writerKey.encodedSecretKey()]))
            try signed.upsert(key: "SIGNED", value: try Self.value(ServerFixture.canary))
            items = try await list(client)
            #expect(item("SIGNED", in: items)?.hasValue == true)
        }
    }

    @Test("lists racing writes: once a write returns, the next list has it, whatever other lists are in flight")
    func concurrentListsAndWrites() async throws {
        let other = SecretService(workspace: try fixture.alpha)
        try await app.test(.router) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                let done = ManagedFlag()
                for _ in 0..<6 {
                    group.addTask {
                        while !done.isSet {
                            let response = try await client.call("/api/v1/workspaces/alpha/secrets", token: fixture.readerAlpha)
                            #expect(response.status == .ok)
                        }
                    }
                }
                group.addTask {
                    defer { done.set() }
                    for round in 0..<60 {
                        try other.upsert(key: "RACE_\(round)", value: try Self.value(ServerFixture.canary))
                        let response = try await client.call("/api/v1/workspaces/alpha/secrets", token: fixture.readerAlpha)
                        let items = try JSONDecoder().decode([SecretKeyInfo].self, from: Data(response.text.utf8))
                        #expect(items.count == round + 1, "round \(round)")
                        #expect(items.contains { $0.key == "RACE_\(round)" }, "round \(round)")
                    }
                }
                try await group.waitForAll()
            }
            try await list(client)
        }
    }

    @Test("nothing changed: the list comes from memory, with no file read; a change makes the next list read that file only")
    func servedFromMemory() async throws {
        let alpha = try fixture.alpha
        let other = SecretService(workspace: alpha)
        for key in ["A", "B", "C"] { try other.upsert(key: key, value: try Self.value(ServerFixture.canary)) }
        let cache = ListingCache(logger: fixture.core.configuration.logger)
        #expect(cache.current(alpha) == nil)
        let first = try cache.refresh(other)
        #expect(first.items == (try other.keys()))
        let again = try #require(cache.current(alpha))
        #expect(again.items == first.items)
        #expect(again.json.readableBytesView.elementsEqual(first.json.readableBytesView))
        try other.upsert(key: "D", value: try Self.value(ServerFixture.canary))
        #expect(cache.current(alpha) == nil)
        #expect(try cache.refresh(other).items == (try other.keys()))
        #expect(try #require(cache.current(alpha)).items.map(\.key) == ["A", "B", "C", "D"])
    }

    @Test("the web workspace page shows the listing from memory: Missing, then Stored, then gone, as another process changes the file")
    func webWorkspacePage() async throws {
        let other = SecretService(workspace: try fixture.alpha)
        try other.declare(key: "ASKED")
        let missing = #"<code>ASKED</code></td><td><span class="badge missing">Missing</span>"#
        let stored = #"<code>ASKED</code></td><td><span class="badge stored">Stored</span>"#
        try await app.test(.router) { client in
            var browser = WebBrowser()
            #expect(try await browser.signIn(client, token: fixture.readerAlpha).status == .seeOther)
            var page = String(buffer: try await browser.request(client, "/workspaces/alpha").body)
            #expect(page.contains(missing))
            try other.upsert(key: "ASKED", value: try Self.value(ServerFixture.canary))
            page = String(buffer: try await browser.request(client, "/workspaces/alpha").body)
            #expect(page.contains(stored))
            try other.delete(key: "ASKED")
            page = String(buffer: try await browser.request(client, "/workspaces/alpha").body)
            #expect(!page.contains("<code>ASKED</code>"))
            #expect(!browser.transcript.contains(ServerFixture.canary))
        }
    }

    @Test("more events than the kernel queues (an overflow): the next list is read anew and right")
    func eventQueueOverflow() async throws {
        let other = SecretService(workspace: try fixture.alpha)
        try other.upsert(key: "A", value: try Self.value(ServerFixture.canary))
        try other.upsert(key: "B", value: try Self.value(ServerFixture.canary))
        let limit = Int((try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 16384
        try #require(limit <= 1_000_000, "max_queued_events is \(limit): too many events to overflow in a test")
        let paths = try ["A", "B"].map { try fixture.alpha.secretPath(for: $0) }
        try await app.test(.router) { client in
            try await list(client)
            for index in 0...(limit / 2 + 8) {
                for path in paths { #expect(chmod(path, index % 2 == 0 ? 0o600 : 0o644) == 0) }
            }
            try other.upsert(key: "AFTER", value: try Self.value(ServerFixture.canary))
            #expect(try await list(client).map(\.key) == ["A", "AFTER", "B"])
            try other.upsert(key: "NEXT", value: try Self.value(ServerFixture.canary))
            #expect(try await list(client).map(\.key) == ["A", "AFTER", "B", "NEXT"])
        }
    }

    @Test("a list reads no file when nothing changed: a write through a shared memory map (which makes no inotify event) shows only once the writer closes the file")
    func noReadWithoutEvent() async throws {
        let other = SecretService(workspace: try fixture.alpha)
        try other.upsert(key: "MAPPED", value: try Self.value(ServerFixture.canary))
        let path = try fixture.alpha.secretPath(for: "MAPPED")
        let good = try bytes(path)
        let changed = Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "key: MAPPED", with: "key: MOPPED").utf8)
        try await app.test(.router) { client in
            #expect(try await list(client).first?.problem == nil)
            let fd = open(path, O_RDWR)
            try #require(fd >= 0)
            let map = try #require(mmap(nil, good.count, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0))
            try #require(map != MAP_FAILED)
            changed.withUnsafeBytes { map.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            #expect(munmap(map, good.count) == 0)
            let stale = try await client.call("/api/v1/workspaces/alpha/secrets", token: fixture.readerAlpha)
            let items = try JSONDecoder().decode([SecretKeyInfo].self, from: Data(stale.text.utf8))
            #expect(items.first?.problem == nil, "served from memory: the file was not read again")
            #expect(try other.keys().first?.problem?.contains("MOPPED") == true, "the disk holds the change")
            close(fd)  // IN_CLOSE_WRITE
            #expect(try await list(client).first?.problem?.contains("MOPPED") == true)
        }
    }

    @Test("a folder on a filesystem inotify cannot vouch for (procfs here) is refused, so its listing is read in full")
    func nonLocalFilesystemRefused() throws {
        let inotify = try InotifyWatch()
        #expect(throws: WatchedFolder.Refusal.self) { try WatchedFolder.watch("/proc/self", inotify: inotify, mask: UInt32(IN_CREATE)) }
        #expect(try WatchedFolder.watch(fixture.root, inotify: inotify, mask: UInt32(IN_CREATE)) != nil)
        #expect(try WatchedFolder.watch("\(fixture.root)/absent", inotify: inotify, mask: UInt32(IN_CREATE)) == nil)
    }
}

/// A flag one task sets and others poll.
private final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Git for the pull test: every command must succeed.
private enum Git {
    static func run(_ arguments: [String], in directory: String) throws {
        let outcome = try ChildProcess.run(
            ["git", "-C", directory] + arguments,
            environment: ["PATH": "/usr/bin:/bin", "HOME": directory, "GIT_CONFIG_NOSYSTEM": "1",
                          "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
                          "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"],
            captureOutput: false)
        try #require(outcome.status == 0 && !outcome.signaled, "git \(arguments.joined(separator: " ")): \(outcome.errorText)")
    }

    static func identify(_ directory: String) throws {
        try run(["config", "user.email", "test@example.com"], in: directory)
        try run(["config", "user.name", "Test"], in: directory)
    }
}
