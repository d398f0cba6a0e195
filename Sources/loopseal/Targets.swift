import ArgumentParser
import LoopsealSync
import LoopsealValue

struct Targets: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "List the workspace's sync targets, the hosts each is for, and whether it applies to this host.",
        discussion: """
            A target with 'hosts:' (names or globs such as web-*) is synced only on those hosts; one \
            without applies on every host. This host is --host, else $LOOPSEAL_HOST, else the \
            machine's host name. Reads no secret: no identity is needed. With --json: {host, hostFrom, \
            targets: [{name, type, hosts (null: every host), destination, restart, applies}]}.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var host: HostOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let listing = try TargetListing(workspace: try workspace.resolve(), host: try host.selected())
        Terminal.print(json ? Self.json(listing).jsonText() + "\n" : Self.text(listing))
    }

    /// `host: …` then, per target, its name, kind and whether it applies, where it goes and what it runs.
    static func text(_ listing: TargetListing) -> String {
        var text = "host: \(listing.host)\n"
        for entry in listing.entries {
            let target = entry.target
            text += "\(target.name) (\(target.kind.rawValue)): \(entry.applies ? "applies here" : "skipped here"), for hosts: \(target.hostsText)\n"
            text += "  to: \(entry.destination)\n"
            if let restart = target.restart { text += "  then runs: \(restart.joined(separator: " "))\n" }
        }
        if listing.entries.isEmpty { text += "no targets: add some under 'targets:' in workspace.yaml\n" }
        return text
    }

    static func json(_ listing: TargetListing) -> TemplateValue {
        let strings: ([String]?) -> TemplateValue = { $0.map { .list($0.map(TemplateValue.string)) } ?? .null }
        return .dictionary([
            ("host", .string(listing.host.name)), ("hostFrom", .string(listing.host.source.rawValue)),
            ("targets", .list(listing.entries.map { entry in
                .dictionary([
                    ("name", .string(entry.target.name)), ("type", .string(entry.target.kind.rawValue)),
                    ("hosts", strings(entry.target.hosts?.map(\.text))), ("destination", .string(entry.destination)),
                    ("restart", strings(entry.target.restart)), ("applies", .bool(entry.applies)),
                ])
            })),
        ])
    }
}
