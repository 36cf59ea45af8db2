namespace Atom.Bot.Ingress;

internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Delivery {DeliveryId} ({Event}.{Action}) for {Repository} stored and enqueued")]
    public static partial void Accepted(ILogger logger, string deliveryId, string @event, string action, string repository);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Delivery {DeliveryId} ({Event}) was seen before; ignored")]
    public static partial void Replayed(ILogger logger, string deliveryId, string @event);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Delivery {DeliveryId} ({Event}) rejected: {Problem}")]
    public static partial void Rejected(ILogger logger, string deliveryId, string? @event, string problem);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Delivery {DeliveryId} processed: {Outcome}")]
    public static partial void Processed(ILogger logger, string deliveryId, string outcome);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Delivery {DeliveryId} is not in the store; nothing to process")]
    public static partial void Missing(ILogger logger, string deliveryId);
}
