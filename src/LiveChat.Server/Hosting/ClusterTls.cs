using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace LiveChat.Server.Hosting;

/// <summary>
/// TLS between the silos of a cluster (<c>Orleans:TlsCertificatePath</c>): every node presents the cluster's one
/// certificate, both ways, and accepts a peer only if it presents that same certificate. A self-signed certificate
/// made for the cluster does: no certificate authority is involved, and whoever lacks the file cannot join or listen in.
/// </summary>
internal static class ClusterTls
{
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, X509Certificate2 certificate) =>
        silo.UseTls(certificate, tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (remote, _, errors) =>
                remote is not null && remote.RawData.AsSpan().SequenceEqual(certificate.RawData)
                && (errors & ~(SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch)) == SslPolicyErrors.None;
            tls.OnAuthenticateAsClient = (_, options) => options.TargetHost = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        });
}
