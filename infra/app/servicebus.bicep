// Standard tier: duplicate detection needs it (Basic has none). Identity only.
param location string
param name string
param queues array = ['mail', 'account-erasure', 'comment-notifications', 'topic-audience', 'model-jobs']
param maxDeliveryCount int = 10

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  sku: { name: 'Standard', tier: 'Standard' }
  properties: { disableLocalAuth: true, minimumTlsVersion: '1.2' }
}

resource queueResources 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [for q in queues: {
  parent: namespace
  name: q
  properties: {
    lockDuration: 'PT5M' // the maximum; the Functions trigger renews it for long jobs
    maxDeliveryCount: maxDeliveryCount
    requiresDuplicateDetection: true // must be set at creation; senders use deterministic message ids
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P7D'
  }
}]

output name string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
output maxDeliveryCount int = maxDeliveryCount
