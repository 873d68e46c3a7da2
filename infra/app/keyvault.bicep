// Secrets the app cannot replace with an identity: the SendGrid API key, the app's own secret key and the TURN
// server's static-auth-secret (turn-static-auth-secret, the same value as coturn's static-auth-secret).
// Create them after deployment: az keyvault secret set --vault-name <name> -n sendgrid-api-key --value ...
param location string
param name string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

output name string = vault.name
