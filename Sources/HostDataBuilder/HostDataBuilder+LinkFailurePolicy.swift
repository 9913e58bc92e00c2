//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

extension HostDataBuilder {
    /// What the builder does with a link whose config or secrets cannot be resolved (a named
    /// config missing or malformed, a secret reference missing, a secrets backend down).
    ///
    /// Either way the failure is never silent (the Rust host only logs, §11 item 14): a warning
    /// naming the link and the cause is logged and a `linkdef_set_failed` event
    /// (``ProviderCore/LinkDefinitionSetFailedEvent``) is published.
    public struct LinkFailurePolicy: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case skipAndReport
            case failBuild
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// Leave the link out of `link_definitions` and start the provider with its other links
        /// (the default).
        ///
        /// One broken link should not take down a provider that serves many: failing the build
        /// would stop every other link too, and on a restart it would keep the provider down
        /// until someone fixes the link (every restart rebuilds host data). The link can be
        /// delivered later by a link put once its config or secret is fixed, and the event tells
        /// wadm and operators which link is missing.
        public static let skipAndReport = LinkFailurePolicy(.skipAndReport)

        /// Fail the whole build with the link's error (its message names the link), for
        /// deployments that would rather not run a provider with a link missing.
        public static let failBuild = LinkFailurePolicy(.failBuild)

        /// Whether the build fails.
        var failsBuild: Bool {
            self.value == .failBuild
        }

        /// `skipAndReport` or `failBuild`.
        public var description: String {
            switch self.value {
            case .skipAndReport: "skipAndReport"
            case .failBuild: "failBuild"
            }
        }
    }
}
