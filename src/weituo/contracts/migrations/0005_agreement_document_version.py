# The agreement's document version ("1.0") gets its own name, so that ``version`` is the optimistic
# lock counter everywhere; a rename, so every stored agreement keeps its version.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0004_labels_through_gettext'),
        ('registry', '0002_labels_through_gettext'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='qualityagreement',
            name='agreement_version_unique',
        ),
        migrations.RenameField(
            model_name='qualityagreement',
            old_name='version',
            new_name='document_version',
        ),
        migrations.AlterField(
            model_name='qualityagreement',
            name='document_version',
            field=models.CharField(default='1.0', max_length=20, verbose_name='document version'),
        ),
        migrations.AddConstraint(
            model_name='qualityagreement',
            constraint=models.UniqueConstraint(fields=('contract', 'document_version'), name='agreement_version_unique'),
        ),
    ]
