// Serverless NoSQL account, identity only. Every container is partitioned on /pk (docs/data-model.md lists them).
param location string
param name string
param databaseName string = 'topicsflow'

@description('Containers and their default TTL in seconds (-1: on, per item; absent: off).')
param containers array = [
  // accounts
  { name: 'users' }
  { name: 'credentials' }
  { name: 'usernames' }
  { name: 'emails' }
  { name: 'blocks' }
  { name: 'passkeys' }
  { name: 'passkey_ids' }
  // topics
  { name: 'topics' }
  { name: 'topic_titles' }
  { name: 'memberships' }
  { name: 'user_topics' }
  { name: 'invitations' }
  { name: 'aliases' }
  // posts
  { name: 'posts' }
  { name: 'comments' }
  { name: 'votes' }
  { name: 'follows' }
  { name: 'revisions' }
  { name: 'notifications', ttl: -1 } // each notification carries its own ttl
  { name: 'notification_state' }
  // chat (shared/domain/chat/containers.py)
  { name: 'chat_rooms' }
  { name: 'room_names' }
  { name: 'room_members' }
  { name: 'user_rooms' }
  { name: 'room_invitations' }
  { name: 'room_log' }
  { name: 'messages' }
  { name: 'reactions' }
  { name: 'read_markers' }
  { name: 'message_reports' }
  { name: 'attachments' }
  // moderation and administration (docs/moderation.md)
  { name: 'audit_log' }
  { name: 'moderation_reports' }
  { name: 'warnings' }
  { name: 'tickets' }
  { name: 'moderation_counters' }
  // direct messages (docs/dm.md)
  { name: 'dm_conversations' }
  { name: 'dm_hidden' }
  { name: 'dm_settings' }
  { name: 'dm_reports' }
  // models
  { name: 'models' }
  { name: 'model_owners' }
  { name: 'model_versions' }
  { name: 'model_jobs' }
  // calls: pk = place (dm_<a>_<b> | room_<id>); `active` while one runs, then kept under its call id
  { name: 'voip_calls' }
  // side effects recorded without a document write of their own (shared/domain/outbox.py)
  { name: 'outbox' }
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
