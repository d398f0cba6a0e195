import ArgumentParser
import LoopsealKit
import LoopsealStore

struct Meta: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meta",
        abstract: "Change a secret's metadata (owner, expiry, rotation period, description) without touching its value.",
        discussion: """
            The sealed value and its recipients stay byte for byte; only the metadata lines and, when \
            workspace.yaml lists writers, the signature change (a file whose signature does not hold is \
            refused, never re-signed). An empty text ('') removes a field; --no-expires removes the \
            date. Without flags, prints the metadata. 'rotated' is recorded by 'set' when the value \
            changes, never by hand.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var signing: SigningOptions
    @Argument(help: "The secret's name.") var key: String
    @OptionGroup var metadata: MetadataOptions

    func run() throws {
        try Names.checkKey(key)
        let service = try workspace.service(signingKeys: signing.loader)
        let edit = try metadata.edit(service.workspace)
        guard !edit.isEmpty else {
            guard let secret = try service.find(key: key) else { throw StoreError.secretNotFound(key: key, workspace: service.workspace.id) }
            return Terminal.print(MetadataColumns.lines(secret.metadata))
        }
        let stored = try SecretMetadataUpdate.meta(key: key, edit: edit, service: service)
        Terminal.warn("metadata of \(key) written; the value is unchanged")
        Terminal.print(MetadataColumns.lines(stored.metadata))
    }
}
