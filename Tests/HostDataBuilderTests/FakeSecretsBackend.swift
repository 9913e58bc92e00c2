//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import NKeys
import ProviderCore
import Synchronization

/// A secrets backend on the real nats-server, speaking §6.2 from the backend side: it answers
/// `server_xkey` with its public key, opens each sealed `get` request with its own xkey and the
/// sender named in `WasmCloud-Host-Xkey`, and replies sealed from a fresh xkey named in
/// `Server-Response-Xkey`.
final class FakeSecretsBackend: Sendable {
    /// How the backend answers `get`.
    enum Behaviour: Sendable {
        /// Answer from ``secrets``; an unknown key gets `"SecretNotFound"`.
        case answer
        /// Answer with this (sealed) error variant, given as JSON.
        case sealedError(String)
        /// Answer with this plain JSON body and no `Server-Response-Xkey` header.
        case plain(String)
        /// Seal the answer to a key that is not the requester's.
        case wrongKey
        /// Never answer.
        case silent
        /// Answer `server_xkey` with text that is not an xkey.
        case badServerKey
    }

    /// What the backend saw in one `get` request.
    struct Received: Sendable {
        var key: String
        var field: String?
        var version: String?
        var entityJWT: String
        var hostJWT: String
        var applicationName: String?
        var policy: String
    }

    private struct State {
        var behaviour: Behaviour
        var serverKeyRequests = 0
        var received: [Received] = []
    }

    let prefix: String
    let backend: String
    let serverKey: XKey
    let secrets: [String: SecretValue]
    private let transport: any MessageTransport
    private let state: Mutex<State>
    private let responders = Mutex<[Task<Void, Never>]>([])

    private init(
        transport: any MessageTransport,
        prefix: String,
        backend: String,
        secrets: [String: SecretValue],
        behaviour: Behaviour
    )
        throws
    {
        self.transport = transport
        self.prefix = prefix
        self.backend = backend
        self.secrets = secrets
        self.serverKey = try XKey.generate()
        self.state = Mutex(State(behaviour: behaviour))
    }

    /// Starts a backend answering on `{prefix}.v1alpha1.{backend}.*`.
    static func start(
        transport: any MessageTransport,
        prefix: String,
        backend: String = "fake",
        secrets: [String: SecretValue],
        behaviour: Behaviour = .answer
    ) async throws -> FakeSecretsBackend {
        let fake = try FakeSecretsBackend(
            transport: transport,
            prefix: prefix,
            backend: backend,
            secrets: secrets,
            behaviour: behaviour
        )
        let keyRequests = try await transport.subscribe(to: "\(prefix).v1alpha1.\(backend).server_xkey")
        let getRequests = try await transport.subscribe(to: "\(prefix).v1alpha1.\(backend).get")
        try await transport.flush(timeout: .seconds(5))
        let keyTask = Task {
            for await request in keyRequests {
                await fake.answerServerKey(request)
            }
        }
        let getTask = Task {
            for await request in getRequests {
                await fake.answerGet(request)
            }
        }
        fake.responders.withLock { $0 = [keyTask, getTask] }
        return fake
    }

    var behaviour: Behaviour {
        get { self.state.withLock { $0.behaviour } }
        set { self.state.withLock { $0.behaviour = newValue } }
    }

    var serverKeyRequests: Int {
        self.state.withLock { $0.serverKeyRequests }
    }

    var received: [Received] {
        self.state.withLock { $0.received }
    }

    func stop() {
        for task in self.responders.withLock({ $0 }) {
            task.cancel()
        }
    }

    deinit {
        self.stop()
    }

    private func answerServerKey(_ request: TransportMessage) async {
        guard let reply = request.replySubject else { return }
        let behaviour = self.state.withLock { state in
            state.serverKeyRequests += 1
            return state.behaviour
        }
        let payload: String =
            if case .badServerKey = behaviour { "not-an-xkey" } else { self.serverKey.publicKey }
        try? await self.transport.publish(Array(payload.utf8), to: reply)
    }

    private func answerGet(_ request: TransportMessage) async {
        guard let reply = request.replySubject,
            let senderText = request.headers["WasmCloud-Host-Xkey"],
            let sender = try? XKey(publicKey: senderText),
            let plaintext = try? self.serverKey.open(request.payload, from: sender),
            let object = try? JSONSerialization.jsonObject(with: Data(plaintext)) as? [String: Any],
            let context = object["context"] as? [String: Any],
            let application = context["application"] as? [String: Any]
        else {
            return
        }
        let received = Received(
            key: object["key"] as? String ?? "",
            field: object["field"] as? String,
            version: object["version"] as? String,
            entityJWT: context["entity_jwt"] as? String ?? "",
            hostJWT: context["host_jwt"] as? String ?? "",
            applicationName: application["name"] as? String,
            policy: application["policy"] as? String ?? ""
        )
        let behaviour = self.state.withLock { state in
            state.received.append(received)
            return state.behaviour
        }
        let body: String
        var recipient = sender
        switch behaviour {
        case .silent:
            return
        case .plain(let text):
            try? await self.transport.publish(Array(text.utf8), to: reply)
            return
        case .sealedError(let variant):
            body = #"{"error":\#(variant)}"#
        case .answer, .badServerKey, .wrongKey:
            switch self.secrets[received.key] {
            case .string(let text)?:
                body = #"{"secret":{"version":"1","string_secret":"\#(text)","binary_secret":null}}"#
            case .bytes(let bytes)?:
                body =
                    #"{"secret":{"version":"1","string_secret":null,"binary_secret":[\#(bytes.map(String.init).joined(separator: ","))]}}"#
            case nil:
                body = #"{"error":"SecretNotFound"}"#
            }
            if case .wrongKey = behaviour, let other = try? XKey.generate() {
                recipient = other
            }
        }
        guard let responseKey = try? XKey.generate(),
            let sealed = try? responseKey.seal(Array(body.utf8), to: recipient)
        else {
            return
        }
        try? await self.transport.publish(sealed, to: reply, headers: ["Server-Response-Xkey": responseKey.publicKey])
    }
}
