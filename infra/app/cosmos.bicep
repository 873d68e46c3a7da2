// Serverless NoSQL account, identity only. Every container is partitioned on /pk (see docs/data-model.md).
param location string
param name string
param databaseName string = 'topicsflow'

@description('Containers and their default TTL in seconds (-1: on, per item; absent: off).')
param containers array = [
  { name: 'users' }
  { name: 'accounts' }
  { name: 'topics' }
  { name: 'memberships' }
  { name: 'posts' }
  { name: 'comments' }
  { name: 'votes' }
  { name: 'follows' }
  { name: 'notifications', ttl: -1 }
  { name: 'models' }
  { name: 'model_versions' }
  { name: 'jobs', ttl: -1 }
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
    capabilities: [{ name: 'EnableServerless' }]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [{ locationName: location, failoverPriority: 0 }]
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: { resource: { id: databaseName } }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for c in containers: {
  parent: database
  name: c.name
  properties: {
    resource: union({
      id: c.name
      partitionKey: { paths: ['/pk'], kind: 'Hash', version: 2 }
      indexingPolicy: { indexingMode: 'consistent', includedPaths: [{ path: '/*' }], excludedPaths: [{ path: '/"_etag"/?' }] }
    }, contains(c, 'ttl') ? { defaultTtl: c.ttl } : {})
  }
}]

output name string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = databaseName
