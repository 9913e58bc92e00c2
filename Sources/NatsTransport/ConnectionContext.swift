//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CNats
import NKeys
import ProviderCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the connection-level libnats callbacks need. Handed to libnats retained before connecting;
/// released by the closed callback (the last one a connection makes), or at once when connecting
/// fails (libnats then makes no callback at all).
final class ConnectionContext: Sendable {
    let events = AsyncBroadcaster<ConnectionEvent>()
    let requests = RequestMultiplexer()
    let reconnect: NatsTransport.Reconnect
    /// The user JWT for decentralised auth, if any.
    let userJWT: String?
    /// The key that signs the server nonce (nkey or JWT auth), if any.
    let signingKey: NKeyPair?

    init(configuration: NatsTransport.Configuration) throws(ProviderError) {
        self.reconnect = configuration.reconnect
        switch configuration.authentication.storage {
        case .nkeySeed(let seed):
            self.userJWT = nil
            self.signingKey = try Self.key(fromSeed: seed)
        case .userJWT(let jwt, let seed):
            self.userJWT = jwt
            self.signingKey = try Self.key(fromSeed: seed)
        case .none, .token, .userPassword:
            self.userJWT = nil
            self.signingKey = nil
        }
    }

    private static func key(fromSeed seed: String) throws(ProviderError) -> NKeyPair {
        do {
            return try NKeyPair(seed: seed)
        } catch {
            throw ProviderError(
                code: .invalidConfiguration,
                message: "the NATS credentials seed is not a valid nkey seed: \(error.code)",
                cause: error
            )
        }
    }

    /// The reconnect wait, in milliseconds, before round `attempts`.
    func reconnectDelayMilliseconds(attempts: Int) -> Int64 {
        let base = self.reconnect.delay(forAttempt: attempts).milliseconds(atLeast: 0)
        let jitter = min(max(self.reconnect.jitter, 0), 1)
        guard jitter > 0, base > 0 else { return base }
        let factor = Double.random(in: (1 - jitter)...(1 + jitter))
        return max(0, Int64(Double(base) * factor))
    }
}

private func context(_ closure: UnsafeMutableRawPointer?) -> ConnectionContext? {
    closure.map { Unmanaged<ConnectionContext>.fromOpaque($0).takeUnretainedValue() }
}

private func connectedURL(_ connection: OpaquePointer?) -> String {
    var buffer = [CChar](repeating: 0, count: 512)
    guard let connection, natsConnection_GetConnectedUrl(connection, &buffer, buffer.count) == NATS_OK else {
        return ""
    }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Connection lost: report it and fail waiting requests fast.
let connectionDisconnectedHandler: natsConnectionHandler = { _, closure in
    guard let context = context(closure) else { return }
    context.events.yield(.disconnected)
    context.requests.failAll(
        ProviderError(code: .notConnected, message: "the connection to the NATS server was lost"),
        permanently: false
    )
}

/// Connection back: report the server.
let connectionReconnectedHandler: natsConnectionHandler = { connection, closure in
    context(closure)?.events.yield(.reconnected(server: connectedURL(connection)))
}

/// The server entered lame-duck mode.
let connectionLameDuckHandler: natsConnectionHandler = { _, closure in
    context(closure)?.events.yield(.lameDuck)
}

/// Connection closed for good: the last callback; releases the context.
let connectionClosedHandler: natsConnectionHandler = { _, closure in
    guard let closure else { return }
    let context = Unmanaged<ConnectionContext>.fromOpaque(closure).takeRetainedValue()
    context.requests.failAll(
        ProviderError(code: .connectionClosed, message: "the NATS connection is closed"),
        permanently: true
    )
    context.events.finish(with: .closed)
}

/// Asynchronous errors, such as libnats-level slow consumers.
let connectionErrorHandler: natsErrHandler = { _, subscription, status, closure in
    guard let context = context(closure) else { return }
    if status == NATS_SLOW_CONSUMER, let subscription {
        var dropped: Int64 = 0
        natsSubscription_GetDropped(subscription, &dropped)
        let subject = natsSubscription_GetSubject(subscription).map { String(cString: $0) } ?? ""
        context.events.yield(.slowConsumer(subject: subject, dropped: Int(dropped)))
    } else {
        context.events.yield(.error(message: String(cString: natsStatus_GetText(status))))
    }
}

/// The wait between reconnect rounds: exponential backoff with jitter.
let connectionReconnectDelayHandler: natsCustomReconnectDelayHandler = { _, attempts, closure in
    context(closure)?.reconnectDelayMilliseconds(attempts: Int(attempts)) ?? 1000
}

/// Hands libnats a copy of the user JWT (libnats frees it).
let connectionUserJWTHandler: natsUserJWTHandler = { jwt, errorText, closure in
    guard let jwt, let userJWT = context(closure)?.userJWT else {
        errorText?.pointee = strdup("no user JWT configured")
        return NATS_ERR
    }
    jwt.pointee = strdup(userJWT)
    return NATS_OK
}

/// Signs the server's nonce with the configured nkey (libnats frees the signature).
let connectionSignatureHandler: natsSignatureHandler = { errorText, signature, length, nonce, closure in
    guard let signature, let length, let nonce, let key = context(closure)?.signingKey,
        let bytes = try? key.sign(Array(String(cString: nonce).utf8)),
        let buffer = malloc(bytes.count)?.assumingMemoryBound(to: UInt8.self)
    else {
        errorText?.pointee = strdup("cannot sign the server nonce")
        return NATS_ERR
    }
    buffer.initialize(from: bytes, count: bytes.count)
    signature.pointee = buffer
    length.pointee = Int32(bytes.count)
    return NATS_OK
}
