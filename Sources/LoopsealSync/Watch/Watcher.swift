import Foundation
import Logging
import LoopsealCrypto
import LoopsealStore
import LoopsealSystem

#if canImport(Glibc)
import Glibc
#endif

/// `loopseal watch`: keeps a workspace's targets in sync as its sealed files change (edits,
/// `git pull`, `git checkout`). Events are coalesced: after the first one the watcher waits for
/// a short quiet spell (or at most `maxDelay`), re-opens only the secrets that changed, and
/// syncs only the targets that carry them (all of them when `workspace.yaml` changed).
/// Each sync logs one line per target at `notice` (names of targets and keys, never values);
/// errors are logged with key and target names and the watcher keeps going.
///
/// `run()` owns all mutable state on the thread that calls it; `stop()` only requests a
/// ``StopSignal``, which is safe from any thread. That is what the unchecked `Sendable` promises.
public final class Watcher: @unchecked Sendable {
    public let workspace: Workspace
    public let identities: [Identity]
    /// The longest a burst of events is collected before syncing.
    public var maxDelay: Double
    /// Quiet time that ends a burst early.
    public var quietPeriod: Double = 0.005
    /// Turns who the opened files are sealed to into a warning (files sealed to other recipients
    /// than `workspace.yaml` lists), or nil; a warning is logged when it first appears or changes.
    public var sealingWarning: (@Sendable (SealedRecipients) -> String?)?
    /// The host whose targets are kept in sync; nil: ``SyncHost/current()``.
    public var host: SyncHost?
    private let logger: Logger
    private var cache: [String: SecureBytes] = [:]
    private var sealedTo: [String: SealedRecipients.File] = [:]
    private var lastWarning: String?
    private let stopSignal: StopSignal

    /// A watcher for `workspace` (`maxDelay` in seconds).
    public init(workspace: Workspace, identities: [Identity], maxDelay: Double = 0.1, logger: Logger = Logger(label: "loopseal.watch")) throws {
        self.workspace = workspace
        self.identities = identities
        self.maxDelay = maxDelay
        self.logger = logger
        stopSignal = try StopSignal()
    }

    /// Makes SIGINT and SIGTERM end ``run()`` cleanly.
    public func stopOnSignals() { stopSignal.onSignals() }

    /// Asks a running watcher to stop (from any thread).
    public func stop() { stopSignal.request() }

    /// Syncs everything once, then watches until stopped.
    public func run() throws {
        let inotify = try InotifyWatch()
        let directoryMask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_DELETE_SELF)
        let workspaceWatch = try inotify.add(workspace.directory, mask: directoryMask)
        var secretsWatch = try? inotify.add(workspace.secretsDirectory, mask: directoryMask)
        refreshAll()
        warnAboutSealing()
        syncTargets(changedKeys: nil)
        logger.notice("watching", metadata: ["workspace": "\(workspace.id)", "directory": "\(workspace.directory)"])
        while true {
            let (events, stop) = inotify.wait(timeout: -1, otherFD: stopSignal.fileDescriptor)
            if stop { break }
            guard events else { continue }
            var changedKeys: Set<String> = []
            var configChanged = false
            let started = Date()
            var batch = inotify.read()
            while true {
                for event in batch {
                    if event.watch == workspaceWatch {
                        if event.name == "workspace.yaml" { configChanged = true }
                        if event.name == "secrets", event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                            secretsWatch = try? inotify.add(workspace.secretsDirectory, mask: directoryMask)
                            configChanged = true
                        }
                    } else if event.watch == secretsWatch {
                        if event.mask & UInt32(IN_DELETE_SELF) != 0 { secretsWatch = nil; configChanged = true }
                        if event.name.hasSuffix(".sealed"), !event.name.hasPrefix(".") { changedKeys.insert(String(event.name.dropLast(7))) }
                    }
                }
                let elapsed = Date().timeIntervalSince(started)
                guard elapsed < maxDelay else { break }
                let (more, stopNow) = inotify.wait(timeout: min(quietPeriod, maxDelay - elapsed), otherFD: stopSignal.fileDescriptor)
                if stopNow { return }
                guard more else { break }
                batch = inotify.read()
            }
            if configChanged {
                refreshAll()
                warnAboutSealing()
                syncTargets(changedKeys: nil)
            } else if !changedKeys.isEmpty {
                refresh(changedKeys)
                warnAboutSealing()
                syncTargets(changedKeys: changedKeys)
            }
        }
        logger.notice("stopped", metadata: ["workspace": "\(workspace.id)"])
    }

    private func refreshAll() {
        cache = [:]
        sealedTo = [:]
        do {
            let keys = try SecretService(workspace: workspace, logger: logger).keyNames()
            refresh(Set(keys))
        } catch {
            logger.error("cannot list secrets", metadata: ["error": "\(error)"])
        }
    }

    /// Re-opens only `keys`; deleted or valueless ones leave the cache.
    private func refresh(_ keys: Set<String>) {
        let service = SecretService(workspace: workspace, logger: logger)
        for key in keys.sorted() {
            do {
                guard let secret = try service.find(key: key), secret.hasValue else {
                    cache[key] = nil
                    sealedTo[key] = nil
                    continue
                }
                let read = try service.revealSealed(key: key, identities: identities)
                cache[key] = read.value
                sealedTo[key] = read.sealing.files.first
            } catch {
                cache[key] = nil
                sealedTo[key] = nil
                logger.error("cannot open secret", metadata: ["key": "\(key)", "error": "\(error)"])
            }
        }
    }

    /// Logs ``sealingWarning``'s warning for the files opened, when it is new.
    private func warnAboutSealing() {
        guard let sealingWarning else { return }
        do {
            let listed = try workspace.loadConfig().recipients
            let warning = sealingWarning(SealedRecipients(listed: listed, files: sealedTo.keys.sorted().compactMap { sealedTo[$0] }))
            if let warning, warning != lastWarning { logger.warning("\(warning)") }
            lastWarning = warning
        } catch {
            logger.error("cannot read workspace.yaml", metadata: ["error": "\(error)"])
        }
    }

    /// Syncs the targets that carry `changedKeys` (every target when nil), one at a time, and logs
    /// one line per target at `notice`: its name, its keys (names only), what changed and how long
    /// it took, or why it failed.
    private func syncTargets(changedKeys: Set<String>?) {
        let targets: [SyncTarget]
        let host: SyncHost
        do {
            targets = try SyncTarget.parseAll(try workspace.loadConfig(), file: workspace.configPath)
            host = try self.host ?? SyncHost.current()
        } catch {
            logger.error("sync failed", metadata: ["error": "\(error)"])
            return
        }
        for target in targets where changedKeys == nil && !host.applies(to: target) {
            logger.notice("skipped", metadata: ["target": "\(target.name)", "hosts": "\(target.hostsText)", "host": "\(host.name)"])
        }
        let affected = targets.filter(host.applies).filter { target in
            guard let changedKeys else { return true }
            return target.keys.map { !changedKeys.isDisjoint(with: $0) } ?? true
        }.map(\.name)
        let opened = RevealedSecrets(values: cache.keys.sorted().compactMap { key in cache[key].map { (key: key, value: $0) } }, missing: [])
        let syncer = TargetSyncer(workspace: workspace, identities: identities, host: host, logger: logger)
        for name in affected {
            let started = Date()
            do {
                let report = try syncer.report(only: [name], opened: opened)
                let ms = "\(Int(Date().timeIntervalSince(started) * 1000))"
                for failure in report.failures { logger.error("sync failed", metadata: ["target": "\(name)", "error": "\(failure)"]) }
                for plan in report.plans where report.failures.isEmpty {
                    logger.notice(plan.written ? "synced" : "up to date", metadata: [
                        "target": "\(name)", "keys": "\(plan.keys.joined(separator: ","))",
                        "added": "\(plan.added.joined(separator: ","))", "changed": "\(plan.changed.joined(separator: ","))",
                        "removed": "\(plan.removed.joined(separator: ","))", "ms": "\(ms)",
                    ])
                }
            } catch {
                logger.error("sync failed", metadata: ["target": "\(name)", "error": "\(error)"])
            }
        }
    }
}
