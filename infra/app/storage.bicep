// One account: the Functions host's own storage, the deployment package, and the app's blobs.
param location string
param name string
param corsOrigins array

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false // identity only: SAS URLs are user-delegation SAS
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    // Browsers upload avatars and training files straight to Blob with signed URLs.
    cors: {
      corsRules: [
        {
          allowedOrigins: corsOrigins
          allowedMethods: ['GET', 'PUT', 'HEAD']
          allowedHeaders: ['content-type', 'x-ms-blob-type', 'x-ms-version', 'x-ms-date']
          exposedHeaders: ['etag', 'content-length']
          maxAgeInSeconds: 600
        }
      ]
    }
    deleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

param appContainers array = ['deployments', 'profile-images', 'post-images', 'chat-attachments', 'models', 'model-data']

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for c in appContainers: {
  parent: blobService
  name: c
  properties: { publicAccess: 'None' }
}]

// Uploads that were never confirmed (and soft-deleted model artifacts) age out.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-unconfirmed-uploads'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['uploads/pending/'] }
            actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 1 } } }
          }
        }
      ]
    }
  }
}

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
