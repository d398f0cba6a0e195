import Foundation
import Logging
import LoopsealCrypto
import LoopsealStore
import LoopsealDiagnostics

/// What a sync would do (or did) for one target: key names only.
public struct SyncPlan: Sendable {
    public var target: SyncTarget
    public var added: [String]
    public var changed: [String]
    public var removed: [String]
    /// The payload differs from what the target holds (or last received).
    public var needsWrite: Bool
    /// A `file` target was edited by hand since the last sync.
    public var drifted: Bool
    /// A `file` target's path holds a file Loopseal never synced (needs `--adopt` or `--force`).
    public var unmanaged = false
    /// True once written.
    public var written = false
    /// Where the payload goes, resolved: a file's absolute path, a command line, `host:path`, a URL.
    public var destination = ""
    /// A `file` target outside the repository root (allowed; named on its first sync).
    public var outsideRepository = false
    /// Nothing was synced to this target before.
    public var firstSync = false
    /// Why the sync refuses (or, in a dry run, would refuse) this target; nil when it would go ahead.
    public var refusal: String?

    /// Every key the payload carries.
    public var keys: [String]
}

/// Syncs a workspace's secrets to its targets (DESIGN.md §7): renders each target's payload,
/// compares it with what was last synced, writes only what changed, and runs `restart` only
/// after a change. File targets edited by hand are left alone unless forced.
public struct TargetSyncer: Sendable {
    public let workspace: Workspace
    public let identities: [Identity]
    /// The host whose targets are synced; nil: ``SyncHost/current()``, read when a sync starts.
    public let host: SyncHost?
    /// Writers by target kind; `agent` is added by whoever links the agent client.
    public var writers: [SyncTarget.Kind: any TargetWriter] = [
        .file: FileTargetWriter(), .command: CommandTargetWriter(), .ssh: SSHTargetWriter(),
    ]
    private let logger: Logger

    /// A syncer decrypting with `identities`, for the targets of `host` (nil: this machine's,
    /// `$LOOPSEAL_HOST` or the host name).
    public init(workspace: Workspace, identities: [Identity], host: SyncHost? = nil, logger: Logger = Logger(label: "loopseal.sync")) {
        self.workspace = workspace
        self.identities = identities
        self.host = host
        self.logger = logger
        if let controller = identities.first { writers[.agent] = AgentTargetWriter(identity: controller) }
    }

    /// Syncs like ``report(only:dryRun:force:adopt:opened:)`` and throws if any target failed.
    public func sync(only: [String]? = nil, dryRun: Bool = false, force: Bool = false, adopt: Bool = false) throws -> [SyncPlan] {
        let report = try report(only: only, dryRun: dryRun, force: force, adopt: adopt)
        if !report.failures.isEmpty { throw SyncError(report.failures.joined(separator: "\n")) }
        return report.plans
    }

    /// Plans (and unless `dryRun`, performs) the sync of every target for this host, or those in
    /// `only`; the others are listed in ``SyncReport/skipped``. Naming a target that is not for
    /// this host is refused before anything is written.
    /// A file target edited by hand since the last sync is refused unless `force`; a file that
    /// Loopseal never synced is refused unless `adopt` or `force`. A dry run checks everything
    /// the real run would (folders, links, drift) and reports the same refusals as failures.
    /// A failing target does not stop the others. `opened` passes values already decrypted (the
    /// watcher's cache) instead of opening all.
    public func report(only: [String]? = nil, dryRun: Bool = false, force: Bool = false, adopt: Bool = false,
                       opened preopened: RevealedSecrets? = nil) throws -> SyncReport {
        let config = try workspace.loadConfig()
        let targets = try SyncTarget.parseAll(config, file: workspace.configPath)
        let host = try self.host ?? SyncHost.current()
        if let only {
            for name in only where !targets.contains(where: { $0.name == name }) {
                throw SyncError("no target named '\(name)' in \(workspace.configPath) (targets: \(targets.map(\.name).joined(separator: ", ")))")
            }
            for target in targets where only.contains(target.name) && !host.applies(to: target) {
                throw SyncError.notForThisHost(target, host: host)
            }
        }
        let named = targets.filter { only?.contains($0.name) ?? true }
        let selected = named.filter(host.applies)
        let skipped = named.filter { !host.applies(to: $0) }
        guard !selected.isEmpty else { return SyncReport(plans: [], failures: [], host: host, skipped: skipped) }
        let opened = try preopened ?? SecretService(workspace: workspace).revealAll(identities: identities)
        var state = try SyncState.load(workspace)
        var plans: [SyncPlan] = []
        var failures: [String] = []
        for target in selected {
            let started = Date()
            let chosen = opened.values.filter { target.keys?.contains($0.key) ?? true }
            let values = chosen.map { ($0.key, $0.value.withUnsafeBytes { Array($0) }) }
            let options = FormatOptions(name: target.name, namespace: target.namespace)
            let payload = Array(try target.format.render(values.map { EnvEntry(key: $0.0, value: $0.1) }, options: options).utf8)
            let payloadHash = state.hash(payload: payload)
            let keyHashes = Dictionary(uniqueKeysWithValues: values.map { ($0.0, state.hash(key: $0.0, value: $0.1)) })
            let record = state.records[target.name]
            var plan = SyncPlan(
                target: target,
                added: keyHashes.keys.filter { record?.keys[$0] == nil }.sorted(),
                changed: keyHashes.keys.filter { record?.keys[$0] != nil && record?.keys[$0] != keyHashes[$0] }.sorted(),
                removed: (record?.keys.keys.filter { keyHashes[$0] == nil } ?? []).sorted(),
                needsWrite: record?.payloadHash != payloadHash, drifted: false, keys: values.map(\.0))
            plan.destination = target.destination(in: workspace)
            plan.firstSync = record == nil
            defer { plans.append(plan) }
            do {
                if target.kind == .file {
                    let file = FileTargetWriter()
                    plan.outsideRepository = !file.isInside(plan.destination, root: workspace.root)
                    try file.preflight(target, workspace: workspace)
                    let current = try file.current(target, workspace: workspace)
                    if let current, current != payload {
                        if let record { plan.drifted = state.hash(payload: current) != record.payloadHash } else { plan.unmanaged = true }
                    }
                    plan.needsWrite = current != payload
                    if current == payload, record?.payloadHash != payloadHash, !dryRun {
                        // The file already holds this payload: a sync was cut short between writing
                        // it and recording it (or a file is adopted that matches). Record it now,
                        // or the next change would look like drift.
                        state.records[target.name] = SyncState.Record(payloadHash: payloadHash, keys: keyHashes, syncedAt: ISO8601DateFormatter().string(from: Date()))
                        try state.save(workspace)
                    }
                }
                guard plan.needsWrite else { continue }
                if plan.drifted && !force {
                    throw SyncError("target '\(target.name)': \(plan.destination) was edited by hand since the last sync: check it, then run 'loopseal sync \(target.name) --force' to overwrite it")
                }
                if plan.unmanaged && !(force || adopt) {
                    throw SyncError("target '\(target.name)': \(plan.destination) already exists and was not written by loopseal: check it, then run 'loopseal sync \(target.name) --adopt' to replace it with the synced secrets")
                }
                guard let writer = writers[target.kind] else {
                    throw SyncError("target '\(target.name)': '\(target.kind.rawValue)' targets are not supported by this build")
                }
                guard !dryRun else { continue }
                try writer.deliver(payload, to: target, workspace: workspace, secrets: values.map(\.1))
                if let restart = target.restart {
                    let outcome = try ProcessRunner.run(restart, stdin: [], directory: workspace.directory)
                    if outcome.status != 0 {
                        throw SyncError("target '\(target.name)': restart command '\(restart.first ?? "")' exited with status \(outcome.status)")
                    }
                }
                plan.written = true
                state.records[target.name] = SyncState.Record(payloadHash: payloadHash, keys: keyHashes, syncedAt: ISO8601DateFormatter().string(from: Date()))
                try state.save(workspace)
                logger.info("synced", metadata: [
                    "target": "\(target.name)", "added": "\(plan.added.joined(separator: ","))",
                    "changed": "\(plan.changed.joined(separator: ","))", "removed": "\(plan.removed.joined(separator: ","))",
                    "ms": "\(Int(Date().timeIntervalSince(started) * 1000))",
                ])
            } catch let error as StoreError {
                plan.refusal = "target '\(target.name)': \(error)"
                failures.append(plan.refusal ?? "")
            } catch {
                plan.refusal = "\(error)"
                failures.append(plan.refusal ?? "")
            }
        }
        return SyncReport(plans: plans, failures: failures, sealing: opened.sealing, host: host, skipped: skipped)
    }
}

/// The outcome of a sync: every target's plan, and what failed (target names and reasons only).
public struct SyncReport: Sendable {
    public var plans: [SyncPlan]
    public var failures: [String]
    /// Who the files read are sealed to, beside `workspace.yaml`'s recipients (empty when no
    /// target was selected, so nothing was read).
    public var sealing = SealedRecipients()
    /// The host the targets were chosen for.
    public var host: SyncHost
    /// The targets whose `hosts:` leave out ``host``: not synced.
    public var skipped: [SyncTarget] = []
}

/// A sync failure; never holds a secret value.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension SyncError: LoopsealError {}
