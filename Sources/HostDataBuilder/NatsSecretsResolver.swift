//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import Logging
import NKeys
public import ProviderCore

/// The production ``ProviderCore/SecretsResolver``: asks the lattice's secrets backends over NATS
/// (`wasmbus-protocol.md` §6.2).
///
/// For each secret reference, in order:
/// 1. the backend's server xkey is fetched once (a request to
///    `{prefix}.v1alpha1.{backend}.server_xkey`) and cached per backend;
/// 2. the request `{"key","field","version","context":{…}}` is sealed from a fresh xkey to the
///    server xkey and sent to `{prefix}.v1alpha1.{backend}.get` with the header
///    `WasmCloud-Host-Xkey: <fresh public key>`;
/// 3. a reply with a `Server-Response-Xkey` header is opened with the fresh key; a reply without
///    it is plain JSON carrying an error.
///
/// Every failure is a ``ProviderCore/ProviderError`` with code `secretUnavailable` that names the
/// secret and the backend and, for a backend error, the `GetSecretError` variant — never a value.
/// A reply that cannot be opened, and the `InvalidXKey` and `DecryptionError` variants, drop the
/// cached server xkey, so a backend that rotated its key is asked again next time.
public actor NatsSecretsResolver: SecretsResolver {
    /// The header carrying the request's xkey public key.
    public static let hostXKeyHeader = "WasmCloud-Host-Xkey"
    /// The header carrying the backend's response xkey public key.
    public static let serverResponseXKeyHeader = "Server-Response-Xkey"

    /// The secrets topic prefix, for example `wasmcloud.secrets`.
    public nonisolated let topicPrefix: String
    /// How long each request waits for its reply.
    public nonisolated let requestTimeout: Duration
    private let transport: any MessageTransport
    private let logger: Logger
    private var serverKeys: [String: XKey] = [:]

    /// Creates a resolver.
    /// - Parameters:
    ///   - transport: The connection the backends listen on (the host's control connection).
    ///   - topicPrefix: The secrets topic prefix; `wasmcloud.secrets` by default.
    ///   - requestTimeout: How long each request waits; 10 s by default (as the Rust host's
    ///     control connection).
    ///   - logger: The logger.
    /// - Throws: ``ProviderCore/ProviderError`` with code `invalidConfiguration` for a prefix that
    ///   is not a valid subject, or a timeout that is not positive.
    public init(
        transport: any MessageTransport,
        topicPrefix: String = "wasmcloud.secrets",
        requestTimeout: Duration = .seconds(10),
        logger: Logger
    ) throws(ProviderError) {
        do {
            try NATSSubject.validate(topicPrefix, allowWildcards: false)
        } catch {
            throw ProviderError(
                code: .invalidConfiguration,
                message: "secrets topic prefix: \(error.message)",
                cause: error
            )
        }
        guard requestTimeout > .zero else {
            throw ProviderError(code: .invalidConfiguration, message: "the secrets request timeout must be positive")
        }
        self.transport = transport
        self.topicPrefix = topicPrefix
        self.requestTimeout = requestTimeout
        self.logger = logger
    }

    /// Resolves every reference through its backend, in order.
    /// - Parameters:
    ///   - references: The references; an empty list makes no request.
    ///   - context: The provider's claims JWT (required when there are references), the host JWT
    ///     and the application name.
    /// - Returns: The values, keyed by reference name.
    /// - Throws: ``ProviderCore/ProviderError`` with code `secretUnavailable` for the first
    ///   reference that fails: no claims JWT, an invalid backend name, no responders, a timeout,
    ///   a reply that cannot be opened or read, a backend error (the variant is named), or a reply
    ///   with no value. Cancelling the task throws `CancellationError`.
    public func resolveSecrets(
        _ references: [SecretReference],
        context: SecretRequestContext
    ) async throws -> [String: SecretValue] {
        guard !references.isEmpty else {
            return [:]
        }
        guard let entityJWT = context.entityJWT, !entityJWT.isEmpty else {
            throw ProviderError(
                code: .secretUnavailable,
                message: "provider \(context.providerID) has no claims JWT, which secrets backends require"
            )
        }
        var values: [String: SecretValue] = [:]
        for reference in references {
            try Task.checkCancellation()
            values[reference.name] = try await self.resolve(reference, entityJWT: entityJWT, context: context)
        }
        return values
    }

    // MARK: - One secret

    private func resolve(
        _ reference: SecretReference,
        entityJWT: String,
        context: SecretRequestContext
    ) async throws -> SecretValue {
        let what = "secret \"\(reference.name)\" from backend \(reference.backend)"
        do {
            try WasmbusSubject.validateToken(reference.backend, as: "secrets backend")
        } catch {
            throw ProviderError(code: .secretUnavailable, message: "\(what): \(error.message)", cause: error)
        }
        let serverKey = try await self.serverKey(for: reference.backend, what: what)
        let request = SecretRequest(
            key: reference.key,
            field: reference.field,
            version: reference.version,
            context: SecretRequest.Context(
                entityJWT: entityJWT,
                hostJWT: context.hostJWT,
                application: SecretRequest.Application(name: context.applicationName, policy: reference.policy)
            )
        )
        let requestKey: XKey
        let sealed: [UInt8]
        do {
            requestKey = try XKey.generate()
            sealed = try requestKey.seal(try WireJSON.encode(request), to: serverKey)
        } catch {
            throw ProviderError(code: .secretUnavailable, message: "\(what): cannot seal the request", cause: error)
        }
        let subject = "\(self.topicPrefix).v1alpha1.\(reference.backend).get"
        let reply = try await self.request(
            sealed,
            to: subject,
            headers: [Self.hostXKeyHeader: requestKey.publicKey],
            what: what
        )

        let plaintext: [UInt8]
        if let responseKey = reply.headers[Self.serverResponseXKeyHeader] {
            do {
                plaintext = try requestKey.open(reply.payload, from: try XKey(publicKey: responseKey))
            } catch {
                self.serverKeys[reference.backend] = nil
                throw ProviderError(
                    code: .secretUnavailable,
                    message: "\(what): the reply cannot be opened (\(error.code))",
                    cause: error
                )
            }
        } else {
            plaintext = reply.payload
        }
        let response: SecretResponse
        do {
            response = try WireJSON.decode(SecretResponse.self, from: plaintext)
        } catch {
            throw ProviderError(code: .secretUnavailable, message: "\(what): \(error.message)", cause: error)
        }
        if let error = response.error {
            if error.invalidatesServerKey {
                self.serverKeys[reference.backend] = nil
            }
            self.logger.warning(
                "secrets backend refused a secret",
                metadata: [
                    HostDataBuilderLogKey.providerID: "\(context.providerID)",
                    HostDataBuilderLogKey.backend: "\(reference.backend)",
                    HostDataBuilderLogKey.secretName: "\(reference.name)",
                    HostDataBuilderLogKey.error: "\(error.variant)",
                ]
            )
            throw ProviderError(code: .secretUnavailable, message: "\(what): the backend answered \(error)")
        }
        if let text = response.secret?.stringSecret {
            return .string(text)
        }
        if let bytes = response.secret?.binarySecret {
            return .bytes(bytes)
        }
        throw ProviderError(code: .secretUnavailable, message: "\(what): the reply holds no secret value")
    }

    /// The backend's server xkey, fetched once per backend.
    private func serverKey(for backend: String, what: String) async throws -> XKey {
        if let key = self.serverKeys[backend] {
            return key
        }
        let subject = "\(self.topicPrefix).v1alpha1.\(backend).server_xkey"
        let reply = try await self.request([], to: subject, headers: [:], what: "\(what) (server xkey)")
        let text = String(decoding: reply.payload, as: UTF8.self).trimmingWhitespace()
        let key: XKey
        do {
            key = try XKey(publicKey: text)
        } catch {
            throw ProviderError(
                code: .secretUnavailable,
                message: "\(what): the backend sent an invalid server xkey (\(error.code))",
                cause: error
            )
        }
        self.serverKeys[backend] = key
        return key
    }

    private func request(
        _ payload: [UInt8],
        to subject: String,
        headers: MessageHeaders,
        what: String
    ) async throws -> TransportMessage {
        do {
            return try await self.transport.request(
                payload,
                to: subject,
                headers: headers,
                timeout: self.requestTimeout
            )
        } catch let error as ProviderError {
            let reason =
                switch error.code {
                case .noResponders: "no secrets backend listens on \(subject)"
                case .timedOut: "no reply on \(subject) within \(self.requestTimeout)"
                default: error.message
                }
            throw ProviderError(code: .secretUnavailable, message: "\(what): \(reason)", cause: error)
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    fileprivate func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = self.firstIndex(where: { !isSpace($0) }), let end = self.lastIndex(where: { !isSpace($0) })
        else {
            return ""
        }
        return String(self[start...end])
    }
}
