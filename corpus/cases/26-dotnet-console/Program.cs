using Azure.Storage.Queues;

var queue = new QueueClient(Environment.GetEnvironmentVariable("QUEUE_CONN"), "jobs");
while (true)
{
    var msg = await queue.ReceiveMessageAsync();
    if (msg.Value is null) { await Task.Delay(1000); continue; }
    Console.WriteLine(msg.Value.MessageText);
    await queue.DeleteMessageAsync(msg.Value.MessageId, msg.Value.PopReceipt);
}
