namespace Atom.Bot.Certification;

public static class CertificationServiceCollectionExtensions
{
    public static IServiceCollection AddCertification(this IServiceCollection services) =>
        services.AddSingleton<CertificationPublisher>().AddTransient<ReviewRequests>();
}
