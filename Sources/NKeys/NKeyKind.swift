//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The type of an nkey, encoded in its prefix byte and visible as the first letter of a public key.
public struct NKeyKind: Hashable, Sendable, CustomStringConvertible, CaseIterable {
    private enum Wrapped: UInt8, Hashable, Sendable {
        case account = 0x00
        case server = 0x68
        case user = 0xA0
        case service = 0xA8
        case module = 0x60
        case curve = 0xB8
        case `operator` = 0x70
        case cluster = 0x10
    }

    private var wrapped: Wrapped

    private init(_ wrapped: Wrapped) {
        self.wrapped = wrapped
    }

    /// Looks up the kind for a type prefix byte.
    ///
    /// - Parameter prefixByte: The first byte of a decoded public key, for example `0x00` for an account.
    /// - Returns: `nil` when the byte is not a known nkey type.
    public init?(prefixByte: UInt8) {
        guard let wrapped = Wrapped(rawValue: prefixByte) else { return nil }
        self.wrapped = wrapped
    }

    /// An account key (`A`), for example the issuer of wascap tokens.
    public static var account: Self { Self(.account) }
    /// A server key (`N`), used for wasmCloud hosts.
    public static var server: Self { Self(.server) }
    /// A user key (`U`).
    public static var user: Self { Self(.user) }
    /// A service key (`V`), used for wasmCloud capability providers.
    public static var service: Self { Self(.service) }
    /// A module key (`M`), used for wasmCloud components.
    public static var module: Self { Self(.module) }
    /// A curve key (`X`): an X25519 key used for sealing messages rather than signing.
    public static var curve: Self { Self(.curve) }
    /// An operator key (`O`).
    public static var `operator`: Self { Self(.operator) }
    /// A cluster key (`C`).
    public static var cluster: Self { Self(.cluster) }

    /// Every kind, in a fixed order.
    public static var allCases: [NKeyKind] {
        [.account, .server, .user, .service, .module, .curve, .operator, .cluster]
    }

    /// The type prefix byte that starts the raw encoding of a public key of this kind.
    public var prefixByte: UInt8 {
        wrapped.rawValue
    }

    /// The first character of a public key of this kind (and the second character of its seed).
    public var publicKeyLetter: Character {
        switch wrapped {
        case .account: "A"
        case .server: "N"
        case .user: "U"
        case .service: "V"
        case .module: "M"
        case .curve: "X"
        case .operator: "O"
        case .cluster: "C"
        }
    }

    /// The lower-case name of the kind, for example `account`.
    public var description: String {
        switch wrapped {
        case .account: "account"
        case .server: "server"
        case .user: "user"
        case .service: "service"
        case .module: "module"
        case .curve: "curve"
        case .operator: "operator"
        case .cluster: "cluster"
        }
    }

    /// `true` for kinds whose keys are Ed25519 signing keys, `false` for ``curve``.
    var isSigningKind: Bool {
        wrapped != .curve
    }
}
