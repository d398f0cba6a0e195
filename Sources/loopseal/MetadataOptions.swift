import ArgumentParser
import LoopsealKit
import LoopsealStore

/// The metadata flags of `set` and `meta` (docs/FORMAT.md §2).
struct MetadataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Who rotates it: a recipient or writer name of the workspace, or an email ('' removes it).", valueName: "name"))
    var owner: String?
    @Option(help: ArgumentHelp("The day the value expires, YYYY-MM-DD: 'loopseal due' lists it from then on.", valueName: "date"))
    var expires: String?
    @Flag(help: "Remove the expiry date.") var noExpires = false
    @Option(help: ArgumentHelp("How often the value should change: 90d, 12w, 6m or 1y (days, weeks, months, years; '' removes it).", valueName: "period"))
    var rotateEvery: String?
    @Option(help: ArgumentHelp("One line saying what the secret is ('' removes it). Never put a secret here: it is stored in clear.", valueName: "text"))
    var description: String?

    /// The edit these flags ask for, checked against `workspace`'s recipients and writers.
    func edit(_ workspace: Workspace) throws -> MetadataEdit {
        try MetadataEdit.parse(owner: owner, expires: expires, noExpires: noExpires, rotateEvery: rotateEvery,
                               description: description, config: try workspace.loadConfig())
    }
}
