using System.Security.Cryptography.X509Certificates;

namespace CriO.Registry.Fixture;

/// <summary>
/// A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost (SANs
/// IP:127.0.0.1, DNS:localhost), made with Debian's openssl so that the certificates come from
/// an independent implementation. ECDSA P-256 keys: quick to make, and Go's TLS takes them.
/// </summary>
public sealed class TestCertificateAuthority
{
    // Our own openssl config, so nothing depends on the host's /etc/ssl/openssl.cnf.
    private const string Config = """
        [req]
        distinguished_name = dn
        prompt = no

        [dn]
        CN = CriO test registry CA

        [ca_ext]
        basicConstraints = critical, CA:TRUE
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash

        [server_ext]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature, keyEncipherment
        extendedKeyUsage = serverAuth
        subjectAltName = IP:127.0.0.1, DNS:localhost
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        """;

    private TestCertificateAuthority(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    /// <summary>The CA certificate (PEM): what clients trust.</summary>
    public string CaCertificatePath => Path.Combine(Directory, "ca.crt");

    public string CaKeyPath => Path.Combine(Directory, "ca.key");

    /// <summary>The server certificate (PEM) for 127.0.0.1 and localhost, signed by the CA.</summary>
    public string ServerCertificatePath => Path.Combine(Directory, "server.crt");

    public string ServerKeyPath => Path.Combine(Directory, "server.key");

    /// <summary>Makes the CA and the server certificate in <paramref name="directory"/> (created if missing).</summary>
    public static async Task<TestCertificateAuthority> CreateAsync(string directory, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(directory);
        var ca = new TestCertificateAuthority(directory);
        var config = Path.Combine(directory, "openssl.cnf");
        await File.WriteAllTextAsync(config, Config, cancellationToken).ConfigureAwait(false);
        string[] newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        await Tool.RunAsync("openssl",
            ["req", "-x509", "-config", config, "-extensions", "ca_ext", .. newKey,
             "-keyout", ca.CaKeyPath, "-out", ca.CaCertificatePath, "-days", "7"]).ConfigureAwait(false);
        var request = Path.Combine(directory, "server.csr");
        await Tool.RunAsync("openssl",
            ["req", "-new", "-config", config, .. newKey, "-subj", "/CN=127.0.0.1",
             "-keyout", ca.ServerKeyPath, "-out", request]).ConfigureAwait(false);
        await Tool.RunAsync("openssl",
            ["x509", "-req", "-in", request, "-CA", ca.CaCertificatePath, "-CAkey", ca.CaKeyPath,
             "-set_serial", "0x" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)),
             "-days", "7", "-extfile", config, "-extensions", "server_ext", "-out", ca.ServerCertificatePath]).ConfigureAwait(false);
        return ca;
    }

    /// <summary>Loads the CA certificate, e.g. for an <see cref="X509ChainPolicy.CustomTrustStore"/>.</summary>
    public X509Certificate2 LoadCaCertificate() => X509CertificateLoader.LoadCertificateFromFile(CaCertificatePath);
}
