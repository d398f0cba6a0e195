import Foundation
import Hummingbird
import LoopsealStore
import LoopsealWorkflows
import NIOHTTP1

/// An error answered as `{"error": code, "message": …}` with `status`. Messages name keys,
/// ids and fields, never values.
public struct APIError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// A stable machine-readable code.
    public let code: String
    /// What went wrong and what to do.
    public let message: String

    /// An error with `status`, `code` and `message`.
    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    static let unauthorized = APIError(.unauthorized, "unauthorized",
                                       "send 'Authorization: Bearer <token>'; create one with 'loopseal token create'")

    /// The tokens file could not be read: a server failure (the log says why), never a 401.
    static let tokenStoreUnreadable = APIError(.internalServerError, "token_store",
                                               "the server cannot read its tokens file; see its log")

    static func notFound(_ what: String) -> APIError { APIError(.notFound, "not_found", what) }

    static func invalid(_ message: String) -> APIError { APIError(.badRequest, "invalid_request", message) }

    static func forbidden(_ needed: Role, _ token: TokenRecord) -> APIError {
        APIError(.forbidden, "forbidden", "this needs a \(needed.rawValue) token; token \(token.id) is a \(token.role.rawValue)")
    }

    /// A request whose HTTP/1.1 body framing is broken; `cause` names the parser's complaint.
    static func malformedFraming(_ cause: HTTPParserError) -> APIError {
        APIError(.badRequest, "malformed_request",
                 "the request body is not valid HTTP/1.1 framing (\(cause)): send a correct Content-Length or chunked body")
    }

    /// The code of ``pushFailed(_:undone:)``.
    static let pushFailedCode = "push_failed"

    /// A change whose commit could not be pushed (`--git-push`), so it was undone: 503, the
    /// remote's details in the log only.
    static func pushFailed(_ failure: PushFailure, undone unrestored: String) -> APIError {
        APIError(.serviceUnavailable, pushFailedCode,
                 "the change could not be pushed to branch '\(failure.branch)' of remote '\(failure.remote)', so it was undone\(unrestored) and is not stored: retry later (the server log says why)")
    }

    static let tooLarge = APIError(.contentTooLarge, "body_too_large", "request bodies are limited to \(ServerLimits.maxBodyBytes / 1024) KiB")

    /// Maps library errors to statuses: not-found cases to 404, conflicts to 409, the rest to 400
    /// (they all describe a problem with the request or the repository it names).
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as StoreError:
            switch error {
            case .secretNotFound, .secretIDNotFound, .workspaceNotFound:
                return APIError(.notFound, "not_found", error.description)
            case .secretExists:
                return APIError(.conflict, "exists", error.description)
            case .invalidKey, .invalidWorkspaceID:
                return APIError(.badRequest, "invalid_request", error.description)
            case .locked:
                return APIError(.serviceUnavailable, "busy", error.description)
            case .noSigningKey, .notAWriter, .invalidSigningKey:
                return APIError(.internalServerError, "signing_key",
                                "the server cannot sign for this workspace: " + error.description
                                    .replacingOccurrences(of: "pass --signing-key FILE or set LOOPSEAL_SIGNING_KEY", with: "start 'loopseal serve --signing-key FILE' or set LOOPSEAL_SIGNING_KEY"))
            case .unsigned, .signedByNonWriter, .badSignature:
                return APIError(.conflict, "bad_signature", error.description)
            case .duplicateID, .mergeConflict, .malformed:
                return APIError(.conflict, "repository_conflict", error.description)
            case .valueTooLarge:
                return APIError(.contentTooLarge, "value_too_large", error.description)
            default:
                return APIError(.internalServerError, "store_error", error.description)
            }
        case let error as RunServiceError:
            switch error {
            case .workflowNotFound, .runNotFound:
                return APIError(.notFound, "not_found", error.description)
            case .invalidRunID, .notRequested, .missingValues, .ambiguousTransition:
                return APIError(.badRequest, "invalid_request", error.description)
            case .notWaiting, .refused:
                return APIError(.conflict, "conflict", error.description)
            case .workflowInvalid:
                return APIError(.internalServerError, "workflow_invalid", error.description)
            case .payloadTooLarge, .inputTooLarge:
                return APIError(.contentTooLarge, "payload_too_large", error.description)
            case .historyFull, .runTooLarge:
                return APIError(.contentTooLarge, "run_too_large", error.description)
            }
        case let error as ToolError:
            return APIError(.conflict, "conflict", error.message)
        default:
            return APIError(.internalServerError, "internal", "the server failed; see its log")
        }
    }
}

/// Limits applied to every request.
public enum ServerLimits {
    /// Largest request body accepted: 64 KiB.
    public static let maxBodyBytes = 64 * 1024
}
