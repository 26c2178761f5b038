package io.speechslo.generate;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DrawsTest {

    /** Two quantities drawn from one stream of a service's minute would move together. */
    @Test
    void everyStreamOfAServicesMinuteHasAnIdOfItsOwn() throws Exception {
        List<Integer> ids = new ArrayList<>();
        for (Field f : Draws.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                ids.add(f.getInt(null));
            }
        }

        assertThat(ids).hasSize(7).doesNotHaveDuplicates();
    }
}
