//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import NKeys
import Testing

@testable import ProviderArchive

/// `inspect` reports everything, including what fails verification.
@Suite struct ArchiveInspectionTests {
    @Test func aGoodArchive() throws {
        var fixture = try TestArchive()
        let world = Array("world".utf8)
        fixture.claims.wascap?.targetHashes["world.wasm"] = TestArchive.sha256(world)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tar = try fixture.tar { $0.append("world.wasm", world) }
        let path = try folder.write("provider.par.gz", Gzip.compress(tar))

        let inspection = try ProviderArchive.inspect(path: path, options: TestArchive.options)

        #expect(inspection.isVerified)
        #expect(inspection.verificationError == nil)
        #expect(inspection.isCompressed)
        #expect(inspection.unpackedSize == tar.count)
        #expect(inspection.claims?.subject == fixture.subject.publicKey)
        #expect(inspection.targets.map(\.name) == fixture.binaries.keys.sorted())
        for entry in inspection.targets {
            let bytes = try #require(fixture.binaries[entry.name])
            #expect(entry.path == "\(entry.name).bin")
            #expect(entry.size == bytes.count)
            #expect(entry.computedHash == TestArchive.sha256(bytes))
            #expect(entry.expectedHash == entry.computedHash)
            #expect(entry.isVerified)
        }
        #expect(inspection.world?.name == "world.wasm")
        #expect(inspection.world?.isVerified == true)
    }

    @Test func aBadSignatureIsReportedWithTheClaimsAndHashes() throws {
        let fixture = try TestArchive()
        let forged = try TestArchive.token(claims: fixture.claims, signer: try NKeyPair.generate(.account))
        let tar = try fixture.tar(claimsToken: forged)

        let inspection = try ProviderArchive.inspect(bytes: tar, options: TestArchive.options)

        #expect(!inspection.isVerified)
        #expect(inspection.verificationError?.code == .invalidSignature)
        #expect(inspection.claims?.issuer == fixture.issuer.publicKey)
        #expect(inspection.targets.count == 2)
        // The hashes themselves match the (unauthenticated) claims.
        #expect(inspection.targets.allSatisfy { $0.expectedHash == $0.computedHash && $0.isVerified })
        // And open refuses the archive with the same error.
        let error = expectArchiveError(.invalidSignature) { () throws(ProviderArchiveError) in
            try ProviderArchive.open(bytes: tar, options: TestArchive.options)
        }
        #expect(error == inspection.verificationError)
    }

    @Test func eachBinaryIsCheckedOnItsOwn() throws {
        var fixture = try TestArchive()
        fixture.claims.wascap?.targetHashes["aarch64-macos"] = nil
        fixture.claims.wascap?.targetHashes[ProviderArchive.currentTarget] = String(repeating: "A", count: 64)

        let inspection = try ProviderArchive.inspect(bytes: try fixture.tar(), options: TestArchive.options)

        #expect(inspection.isVerified)
        let byName = Dictionary(uniqueKeysWithValues: inspection.targets.map { ($0.name, $0) })
        #expect(byName["aarch64-macos"]?.verificationError?.code == .missingHash)
        #expect(byName["aarch64-macos"]?.expectedHash == nil)
        #expect(byName[ProviderArchive.currentTarget]?.verificationError?.code == .hashMismatch)
        #expect(byName[ProviderArchive.currentTarget]?.expectedHash == String(repeating: "A", count: 64))
    }

    @Test func missingClaimsAreReported() throws {
        var writer = TarWriter()
        writer.append("x86_64-linux.bin", [1, 2, 3])
        let inspection = try ProviderArchive.inspect(bytes: writer.finished(), options: TestArchive.options)
        #expect(inspection.claims == nil)
        #expect(inspection.verificationError?.code == .missingClaims)
        #expect(inspection.targets.first?.computedHash == TestArchive.sha256([1, 2, 3]))
        #expect(inspection.targets.first?.verificationError?.code == .missingClaims)
    }

    @Test func anExpiredTokenIsStillShown() throws {
        var fixture = try TestArchive()
        fixture.claims.exp = TestArchive.issuedAt + 1
        let inspection = try ProviderArchive.inspect(bytes: try fixture.tar(), options: TestArchive.options)
        #expect(inspection.verificationError?.code == .expired)
        #expect(inspection.claims?.expires == Date(timeIntervalSince1970: TimeInterval(TestArchive.issuedAt + 1)))
    }

    @Test func containerErrorsAreThrown() {
        let error = expectArchiveError(.notAnArchive) { () throws(ProviderArchiveError) in
            try ProviderArchive.inspect(bytes: HostileArchiveTests.noise(1024))
        }
        #expect(error != nil)
        expectArchiveError(.readFailed) { () throws(ProviderArchiveError) in
            try ProviderArchive.inspect(path: "/nonexistent/provider.par")
        }
    }
}
