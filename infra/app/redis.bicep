// Sessions, cache and rate limits. Access keys off: clients authenticate with Entra ID tokens.
param location string
param name string
param principalIds array

resource cache 'Microsoft.Cache/redis@2024-11-01' = {
  name: name
  location: location
  properties: {
    sku: { name: 'Standard', family: 'C', capacity: 1 }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
    disableAccessKeyAuthentication: true
    redisConfiguration: { 'aad-enabled': 'true', 'maxmemory-policy': 'volatile-lru' }
  }
}

resource access 'Microsoft.Cache/redis/accessPolicyAssignments@2024-11-01' = [for (principalId, i) in principalIds: {
  parent: cache
  name: 'app-${i}'
  properties: { accessPolicyName: 'Data Contributor', objectId: principalId, objectIdAlias: 'app-${i}' }
}]

output hostName string = cache.properties.hostName
