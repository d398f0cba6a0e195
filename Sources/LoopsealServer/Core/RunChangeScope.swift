import LoopsealStore
import LoopsealWorkflows

/// Everything a change to one run may touch besides that run, so that the change can be undone
/// whole and audited whole. A child run that finishes resumes its parent in the same call (the
/// callback), and that one its own parent; a run that advances may start child runs, and those
/// may declare secrets. So before the change every run file of the lineage (the run, its parent,
/// … up to ``RunLimits/maxChildDepth`` levels) is remembered in the ``FileRollback``; after it,
/// ``finish(_:)`` remembers the run files and declared secret files that are new, and names what
/// moved: a `run.resume` entry for each run of the lineage that left `pending`, a `run.start`
/// entry for each run that appeared.
final class RunChangeScope {
    /// The runs started by the change, oldest first (once ``finish(token:main:)`` ran).
    private(set) var started: [WorkflowRun] = []
    /// The run the change is about, as it was before (nil when it starts one or there is none).
    var run: WorkflowRun? { lineage.first }
    private let workspace: Workspace
    private let service: RunService
    private let rollback: FileRollback
    private let lineage: [WorkflowRun]
    private let runsBefore: Set<String>
    private let secretsBefore: Set<String>

    /// A scope around a change to run `runID` (nil for a run the change starts), remembering
    /// the files of the run and of every run above it in `rollback`.
    convenience init(_ workspace: Workspace, service: RunService, runID: String?, rollback: FileRollback) throws {
        var lineage: [WorkflowRun] = []
        var next = runID
        while let id = next, lineage.count <= RunLimits.maxChildDepth, !lineage.contains(where: { $0.id == id }) {
            guard let run = try? service.load(runID: id) else { break }
            lineage.append(run)
            next = run.parent?.run
        }
        try self.init(workspace, service: service, lineage: lineage, rollback: rollback)
    }

    /// A scope around a change that may resume any of `runs` (their files are remembered).
    init(_ workspace: Workspace, service: RunService, lineage: [WorkflowRun], rollback: FileRollback) throws {
        self.workspace = workspace
        self.service = service
        self.rollback = rollback
        self.lineage = lineage
        let store = RunStore(workspace: workspace)
        for run in lineage { try rollback.remember(try store.file(run.id)) }
        runsBefore = Self.runFileNames(store)
        secretsBefore = Set((try? FileIO.directoryEntries(workspace.secretsDirectory)) ?? [])
    }

    /// The run files that did not exist before the change and the secret files their runs
    /// declared, remembered as absent; returns the audit entries of what moved besides the run
    /// the caller changed: `run.resume` for each resumed run, `run.start` for each run started
    /// (the caller's own new run excepted when it is `main`).
    func finish(token: String, main: String? = nil) -> [AuditEntry] {
        let store = RunStore(workspace: workspace)
        var entries: [AuditEntry] = []
        for before in lineage where before.status == .pending {
            guard let after = try? service.load(runID: before.id) else { continue }
            guard after.status != .pending || after.pendingTransition?.child != before.pendingTransition?.child else { continue }
            entries.append(AuditEntry(token: token, workspace: workspace.id, action: "run.resume", run: before.id,
                                      transition: before.pendingTransition?.transition))
        }
        let new = Self.runFileNames(store).subtracting(runsBefore)
        started = new.compactMap { try? service.load(runID: $0) }.sorted { $0.createdAt < $1.createdAt }
        for id in new {
            if let file = try? store.file(id) { rollback.rememberAbsent(file) }
        }
        for run in started {
            for key in run.requestedKeys where !secretsBefore.contains("\(key).sealed") {
                if let path = try? workspace.secretPath(for: key) { rollback.rememberAbsent(path) }
            }
            guard run.id != main else { continue }
            entries.append(AuditEntry(token: token, workspace: workspace.id, action: "run.start", run: run.id,
                                      transition: run.parent?.transition))
        }
        return entries
    }

    /// The secret keys the new runs declared, for the commit.
    var declaredKeys: [String] { started.flatMap(\.requestedKeys) }

    private static func runFileNames(_ store: RunStore) -> Set<String> {
        let names = (try? FileIO.directoryEntries(store.directory)) ?? []
        return Set(names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) })
    }
}
