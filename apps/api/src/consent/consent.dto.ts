import { ApiProperty } from '@nestjs/swagger';

export class ConsentLinkDto {
  @ApiProperty({
    description:
      'Admin-consent URL for the orchestrator app; send it to a Global/Privileged Role/Cloud Application Administrator of the tenant.',
    example: 'https://login.microsoftonline.com/<tenant>/adminconsent?client_id=…&redirect_uri=…&state=…',
  })
  url!: string;
  @ApiProperty({ format: 'date-time', description: 'The link works once, until then.' }) expiresAt!: string;
}
