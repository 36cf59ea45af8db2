using Atom.Bot.Jobs;

namespace Atom.Bot.Ingress;

/// <summary>Work item: process one stored webhook delivery.</summary>
public sealed record ProcessDelivery(string DeliveryId) : IWorkItem;
