//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The NATS subjects of the provider protocol (`wasmbus-protocol.md` §4).
///
/// The builders do not validate their tokens; call validateToken(_:as:) on ids that come from
/// users before using them (the Rust host drops unvalidated ids into subjects, §11 item 25).
public enum WasmbusSubject {
    /// `wasmbus.rpc.{lattice}.{provider}.health`: the host's health request.
    /// - Parameters:
    ///   - lattice: The lattice name.
    ///   - providerID: The provider id.
    /// - Returns: The subject.
    public static func health(lattice: String, providerID: String) -> String {
        "wasmbus.rpc.\(lattice).\(providerID).health"
    }

    /// `wasmbus.rpc.{lattice}.{provider}.{link}.shutdown`: the host's shutdown request.
    /// - Parameters:
    ///   - lattice: The lattice name.
    ///   - providerID: The provider id.
    ///   - linkName: Always `default` in practice.
    /// - Returns: The subject.
    public static func shutdown(lattice: String, providerID: String, linkName: String = "default") -> String {
        "wasmbus.rpc.\(lattice).\(providerID).\(linkName).shutdown"
    }

    /// `wasmbus.rpc.{lattice}.{id}.linkdefs.put`: where a link put is published. Current providers
    /// listen on their xkey public key; pass it as `recipient`.
    /// - Parameters:
    ///   - lattice: The lattice name.
    ///   - recipient: The provider's xkey public key (or its id, for 1.0-compatible puts).
    /// - Returns: The subject.
    public static func linkPut(lattice: String, recipient: String) -> String {
        "wasmbus.rpc.\(lattice).\(recipient).linkdefs.put"
    }

    /// `wasmbus.rpc.{lattice}.{id}.linkdefs.del`: where a link delete is published.
    /// - Parameters:
    ///   - lattice: The lattice name.
    ///   - id: The source id or the target id of the link.
    /// - Returns: The subject.
    public static func linkDelete(lattice: String, id: String) -> String {
        "wasmbus.rpc.\(lattice).\(id).linkdefs.del"
    }

    /// Both subjects a link delete goes to: the source's and the target's.
    /// - Parameters:
    ///   - lattice: The lattice name.
    ///   - link: The link being deleted.
    /// - Returns: The source subject, then the target subject.
    public static func linkDeletes(lattice: String, link: InterfaceLinkDefinition) -> [String] {
        [Self.linkDelete(lattice: lattice, id: link.sourceID), Self.linkDelete(lattice: lattice, id: link.target)]
    }

    /// `wasmbus.rpc.{lattice}.{provider}.config.update`: where the merged config is published.
    /// - Parameters:
    ///   - lattice: The lattice name.
    ///   - providerID: The provider id.
    /// - Returns: The subject.
    public static func configUpdate(lattice: String, providerID: String) -> String {
        "wasmbus.rpc.\(lattice).\(providerID).config.update"
    }

    /// `wasmbus.evt.{lattice}.{name}`: where lattice events are published.
    /// - Parameters:
    ///   - lattice: The lattice name.
    ///   - name: The event name, for example `provider_started`.
    /// - Returns: The subject.
    public static func event(lattice: String, name: String) -> String {
        "wasmbus.evt.\(lattice).\(name)"
    }

    /// Checks that a string can stand as one NATS subject token.
    ///
    /// A token must be non-empty and must not contain `.`, `*`, `>`, whitespace or control
    /// characters.
    /// - Parameters:
    ///   - token: The string to check, for example a provider id or lattice name.
    ///   - role: What the token is, for the error message (`"provider id"`).
    /// - Throws: `ProviderError` with code `invalidSubjectToken`, naming the role and the token.
    public static func validateToken(_ token: String, as role: String) throws(ProviderError) {
        if token.isEmpty {
            throw ProviderError(code: .invalidSubjectToken, message: "\(role) must not be empty")
        }
        for scalar in token.unicodeScalars {
            let forbidden: Bool =
                switch scalar {
                case ".", "*", ">": true
                default: scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F
                }
            if forbidden {
                throw ProviderError(
                    code: .invalidSubjectToken,
                    message: "\(role) \"\(token)\" must not contain '.', '*', '>', whitespace or control characters"
                )
            }
        }
    }
}
