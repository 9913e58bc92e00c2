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

/// Builds the libnats options for a configuration.
enum NatsOptions {
    /// Process-wide libnats set-up, done once: open the library and use a small shared pool of
    /// message-delivery threads instead of one thread per subscription.
    static let libraryReady: Bool = {
        guard nats_Open(-1) == NATS_OK else { return false }
        _ = nats_SetMessageDeliveryPoolSize(2)
        return true
    }()

    /// Creates options; the caller destroys them with `natsOptions_Destroy`.
    /// - Parameters:
    ///   - configuration: The transport configuration.
    ///   - closure: The retained ``ConnectionContext`` pointer for the callbacks.
    static func make(
        _ configuration: NatsTransport.Configuration,
        closure: UnsafeMutableRawPointer
    ) throws(ProviderError) -> OpaquePointer {
        guard Self.libraryReady else {
            throw ProviderError(code: .transportFailure, message: "the NATS C library failed to initialise")
        }
        guard !configuration.servers.isEmpty else {
            throw ProviderError(code: .invalidConfiguration, message: "no NATS server URL given")
        }
        var created: OpaquePointer?
        guard natsOptions_Create(&created) == NATS_OK, let options = created else {
            throw ProviderError.nats(NATS_NO_MEMORY, while: "create NATS options")
        }
        do {
            try Self.apply(configuration, closure: closure, to: options)
            return options
        } catch {
            natsOptions_Destroy(options)
            throw error
        }
    }

    private static func check(_ status: natsStatus, _ action: String) throws(ProviderError) {
        if status != NATS_OK {
            var error = ProviderError.nats(status, while: action)
            if error.code == .transportFailure {
                error.code = .invalidConfiguration
            }
            throw error
        }
    }

    private static func apply(
        _ configuration: NatsTransport.Configuration,
        closure: UnsafeMutableRawPointer,
        to options: OpaquePointer
    ) throws(ProviderError) {
        var servers = configuration.servers.map { UnsafePointer(strdup($0)) }
        defer { servers.forEach { free(UnsafeMutableRawPointer(mutating: $0)) } }
        try Self.check(
            natsOptions_SetServers(options, &servers, Int32(servers.count)),
            "set the NATS server URLs \(configuration.servers)"
        )
        if let name = configuration.name {
            try Self.check(natsOptions_SetName(options, name), "set the connection name")
        }
        try Self.check(
            natsOptions_SetTimeout(options, configuration.connectTimeout.milliseconds(atLeast: 1)),
            "set the connect timeout"
        )
        try Self.check(natsOptions_SetSendAsap(options, true), "enable send-asap")
        try Self.check(natsOptions_UseGlobalMessageDelivery(options, true), "use shared message delivery")
        try Self.check(natsOptions_SetFailRequestsOnDisconnect(options, true), "fail requests on disconnect")

        let reconnect = configuration.reconnect
        try Self.check(natsOptions_SetAllowReconnect(options, reconnect.maxAttempts != 0), "set reconnect")
        try Self.check(
            natsOptions_SetMaxReconnect(options, Int32(clamping: reconnect.maxAttempts ?? -1)),
            "set the reconnect limit"
        )
        try Self.check(
            natsOptions_SetCustomReconnectDelay(options, connectionReconnectDelayHandler, closure),
            "set the reconnect delay"
        )
        try Self.check(
            natsOptions_SetReconnectBufSize(options, Int32(clamping: configuration.reconnectBufferSize)),
            "set the reconnect buffer"
        )
        try Self.check(
            natsOptions_SetMaxPendingMsgs(options, Int32(clamping: configuration.subscriptionBufferLimit)),
            "set the pending-message limit"
        )

        try Self.check(natsOptions_SetDisconnectedCB(options, connectionDisconnectedHandler, closure), "set callbacks")
        try Self.check(natsOptions_SetReconnectedCB(options, connectionReconnectedHandler, closure), "set callbacks")
        try Self.check(natsOptions_SetClosedCB(options, connectionClosedHandler, closure), "set callbacks")
        try Self.check(natsOptions_SetErrorHandler(options, connectionErrorHandler, closure), "set callbacks")
        try Self.check(natsOptions_SetLameDuckModeCB(options, connectionLameDuckHandler, closure), "set callbacks")

        switch configuration.authentication.storage {
        case .none:
            break
        case .token(let token):
            try Self.check(natsOptions_SetToken(options, token), "set the token")
        case .userPassword(let user, let password):
            try Self.check(natsOptions_SetUserInfo(options, user, password), "set the user and password")
        case .nkeySeed(let seed):
            let publicKey = try Self.publicKey(ofSeed: seed)
            try Self.check(natsOptions_SetNKey(options, publicKey, connectionSignatureHandler, closure), "set the nkey")
        case .userJWT:
            try Self.check(
                natsOptions_SetUserCredentialsCallbacks(
                    options,
                    connectionUserJWTHandler,
                    closure,
                    connectionSignatureHandler,
                    closure
                ),
                "set the user JWT"
            )
        }

        if let tls = configuration.tls {
            try Self.check(natsOptions_SetSecure(options, true), "enable TLS")
            if let caFile = tls.caFile {
                try Self.check(natsOptions_LoadCATrustedCertificates(options, caFile), "load the CA file \(caFile)")
            }
            if let certificateFile = tls.certificateFile {
                try Self.check(
                    natsOptions_LoadCertificatesChain(options, certificateFile, tls.keyFile),
                    "load the client certificate \(certificateFile)"
                )
            }
            if let hostname = tls.expectedHostname {
                try Self.check(natsOptions_SetExpectedHostname(options, hostname), "set the expected host name")
            }
        }
    }

    private static func publicKey(ofSeed seed: String) throws(ProviderError) -> String {
        do {
            return try NKeyPair(seed: seed).publicKey
        } catch {
            throw ProviderError(code: .invalidConfiguration, message: "the nkey seed is not valid: \(error.code)")
        }
    }
}
